/// An HTTP answer of the webhook: status, content type and body.
public struct WebhookReply: Sendable, Hashable {
    /// The HTTP status: 200 for every decided review (allowed or denied), 400 for a malformed one.
    public var status: Int
    /// `application/json` for reviews, `text/plain; charset=utf-8` for errors.
    public var contentType: String
    /// The body.
    public var body: [UInt8]

    /// Creates a reply.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - contentType: The content type.
    ///   - body: The body.
    public init(status: Int, contentType: String, body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A plain-text reply ending in a newline.
    /// - Parameters:
    ///   - status: The HTTP status.
    ///   - text: The text.
    /// - Returns: The reply.
    public static func text(_ status: Int, _ text: String) -> WebhookReply {
        WebhookReply(status: status, contentType: "text/plain; charset=utf-8", body: Array((text + "\n").utf8))
    }
}
