/// A `HOST:PORT` listen address, as given to `--listen`: `0.0.0.0:8443`, `127.0.0.1:0`, `[::1]:8443`.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host or address, without IPv6 brackets.
    public var host: String
    /// The port, 0...65535 (0 picks a free one).
    public var port: Int

    /// Parses `HOST:PORT`.
    /// - Parameter text: The address.
    /// - Throws: ``ListenAddress/ParseError`` naming what is wrong.
    public init(parsing text: String) throws(ParseError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ParseError(.syntax, "\(quoted(text)) opens an IPv6 address with [ but never closes it")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                throw ParseError(.syntax, "\(quoted(text)) has no :PORT after the IPv6 address")
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ParseError(.syntax, "\(quoted(text)) is not HOST:PORT")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else {
                throw ParseError(.syntax, "\(quoted(text)): write an IPv6 address in brackets, as [::1]:8443")
            }
        }
        guard !host.isEmpty else { throw ParseError(.syntax, "\(quoted(text)) has an empty host") }
        guard portText.allSatisfy(\.isASCII), let port = Int(portText), (0...65535).contains(port) else {
            throw ParseError(.port, "\(quoted(text)) has port \(quoted(portText)), expected 0...65535")
        }
        self.host = String(host)
        self.port = port
    }

    /// `HOST:PORT`, with brackets around an IPv6 host.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Why a listen address does not parse.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The class of fault.
        public struct Code: Sendable, Hashable, CustomStringConvertible {
            private let value: String
            private init(_ value: String) { self.value = value }

            /// Not `HOST:PORT` (no colon, empty host, unbracketed IPv6, unclosed bracket).
            public static let syntax = Code("syntax")
            /// The port is not a number in 0...65535.
            public static let port = Code("port")

            /// The code's spelling.
            public var description: String { value }
        }

        /// The class of fault.
        public var code: Code
        /// What is wrong, quoting the address.
        public var reason: String

        init(_ code: Code, _ reason: String) {
            self.code = code
            self.reason = reason
        }

        /// The reason.
        public var description: String { reason }
    }
}
