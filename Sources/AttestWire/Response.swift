/// Any response message, decoded from a frame by its opcode.
public enum Response: Sendable, Hashable {
    case hello(HelloResponse)
    case ping(PingResponse)
    case verify(VerifyResponse)
    case check(CheckResponse)
    case admit(AdmitResponse)
    case putAttestations(PutAttestationsResponse)
    case stats(StatsResponse)
    case reload(ReloadResponse)
    case error(ErrorResponse)

    /// Decodes a response frame's body according to its opcode.
    ///
    /// - Parameters:
    ///   - frame: a frame from ``FrameDecoder``.
    ///   - limits: the receiver's limits for strings, byte strings and counts.
    /// - Throws: ``WireError`` attributed to the frame: ``WireStatus/badFrame`` for a frame without the
    ///   response flag or a malformed body, ``WireStatus/unknownOpcode`` for an opcode this build does not
    ///   know.
    public init(decoding frame: Frame, limits: WireLimits = .default) throws(WireError) {
        let header = frame.header
        do throws(WireError) {
            guard header.isResponse else {
                throw WireError(.badFrame, "\(header.opcode) frame lacks the response flag; a response was expected")
            }
            switch header.opcode {
            case .hello: self = .hello(try HelloResponse(decoding: frame.body, limits: limits))
            case .ping: self = .ping(try PingResponse(decoding: frame.body, limits: limits))
            case .verify: self = .verify(try VerifyResponse(decoding: frame.body, limits: limits))
            case .check: self = .check(try CheckResponse(decoding: frame.body, limits: limits))
            case .admit: self = .admit(try AdmitResponse(decoding: frame.body, limits: limits))
            case .putAttestations:
                self = .putAttestations(try PutAttestationsResponse(decoding: frame.body, limits: limits))
            case .stats: self = .stats(try StatsResponse(decoding: frame.body, limits: limits))
            case .reload: self = .reload(try ReloadResponse(decoding: frame.body, limits: limits))
            case .error: self = .error(try ErrorResponse(decoding: frame.body, limits: limits))
            default: throw WireError(.unknownOpcode, "opcode \(header.opcode) is not a response this client knows")
            }
        } catch {
            throw error.attributed(to: header)
        }
    }

    /// The opcode of the response frame (the request's, or ``Opcode/error``).
    public var opcode: Opcode {
        switch self {
        case .hello: .hello
        case .ping: .ping
        case .verify: .verify
        case .check: .check
        case .admit: .admit
        case .putAttestations: .putAttestations
        case .stats: .stats
        case .reload: .reload
        case .error: .error
        }
    }

    /// The message inside.
    public var message: any WireMessage {
        switch self {
        case .hello(let message): message
        case .ping(let message): message
        case .verify(let message): message
        case .check(let message): message
        case .admit(let message): message
        case .putAttestations(let message): message
        case .stats(let message): message
        case .reload(let message): message
        case .error(let message): message
        }
    }
}
