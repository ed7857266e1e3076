/// ADMIT response: the admission decision.
///
/// Encoding: `bool allowed`, `u16 status code`, `string message`, `array<string> warnings`,
/// `array<check result> per-image results`.
public struct AdmitResponse: WireMessage {
    public static var opcode: Opcode { .admit }
    public static var isResponse: Bool { true }

    /// Whether the object is admitted.
    public var allowed: Bool
    /// The HTTP-style status for the AdmissionReview (200 admitted, 403 denied, 500 error).
    public var statusCode: UInt16
    /// The message shown to the user, for example `image alpine:3.11 is not attested`.
    public var message: String
    /// Warnings for the AdmissionReview (dry-run denials, breakglass use, …).
    public var warnings: [String]
    /// `results[i]` answers `images[i]` of the request.
    public var results: [CheckResult]

    /// Creates an ADMIT response.
    ///
    /// - Parameters:
    ///   - allowed: the decision.
    ///   - statusCode: the HTTP-style status.
    ///   - message: the message.
    ///   - warnings: the warnings.
    ///   - results: per-image results.
    public init(allowed: Bool, statusCode: UInt16, message: String, warnings: [String] = [], results: [CheckResult]) {
        self.allowed = allowed
        self.statusCode = statusCode
        self.message = message
        self.warnings = warnings
        self.results = results
    }

    public static var minimumEncodedSize: Int { 15 }

    public func encode(into writer: inout WireWriter) {
        writer.write(allowed)
        writer.write(statusCode)
        writer.write(message)
        writer.write(warnings)
        writer.write(results)
    }

    public init(from reader: inout WireReader, field: @autoclosure () -> String) throws(WireError) {
        allowed = try reader.readBool("allowed")
        statusCode = try reader.readUInt16("status_code")
        message = try reader.readString("message")
        warnings = try reader.readStrings("warnings")
        results = try reader.readArray("results")
    }
}
