/// Any request message, decoded from a frame by its opcode.
public enum Request: Sendable, Hashable {
    case hello(HelloRequest)
    case ping(PingRequest)
    case verify(VerifyRequest)
    case check(CheckRequest)
    case admit(AdmitRequest)
    case putAttestations(PutAttestationsRequest)
    case stats(StatsRequest)
    case reload(ReloadRequest)

    /// Decodes a request frame's body according to its opcode.
    ///
    /// - Parameters:
    ///   - frame: a frame from ``FrameDecoder``.
    ///   - limits: the receiver's limits for strings, byte strings and counts.
    /// - Throws: ``WireError`` attributed to the frame's request id and opcode: ``WireStatus/badFrame`` for
    ///   a response frame, a reserved request id 0 or a malformed body; ``WireStatus/unknownOpcode``;
    ///   ``WireStatus/tooManyItems`` / ``WireStatus/fieldTooLarge`` for limits.
    public init(decoding frame: Frame, limits: WireLimits = .default) throws(WireError) {
        let header = frame.header
        do throws(WireError) {
            guard !header.isResponse else {
                throw WireError(.badFrame, "\(header.opcode) frame has the response flag; a request was expected")
            }
            guard header.requestID != 0 else {
                throw WireError(.badFrame, "\(header.opcode) request uses the reserved request id 0")
            }
            switch header.opcode {
            case .hello: self = .hello(try HelloRequest(decoding: frame.body, limits: limits))
            case .ping: self = .ping(try PingRequest(decoding: frame.body, limits: limits))
            case .verify: self = .verify(try VerifyRequest(decoding: frame.body, limits: limits))
            case .check: self = .check(try CheckRequest(decoding: frame.body, limits: limits))
            case .admit: self = .admit(try AdmitRequest(decoding: frame.body, limits: limits))
            case .putAttestations:
                self = .putAttestations(try PutAttestationsRequest(decoding: frame.body, limits: limits))
            case .stats: self = .stats(try StatsRequest(decoding: frame.body, limits: limits))
            case .reload: self = .reload(try ReloadRequest(decoding: frame.body, limits: limits))
            default: throw WireError(.unknownOpcode, "opcode \(header.opcode) is not a request this server knows")
            }
        } catch {
            throw error.attributed(to: header)
        }
    }

    /// The request's opcode.
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
        }
    }

    /// The number of items the request asks about: the batch size for VERIFY, CHECK and PUT_ATTESTATIONS,
    /// the image count for ADMIT, 1 otherwise.
    public var itemCount: Int {
        switch self {
        case .verify(let request): request.items.count
        case .check(let request): request.items.count
        case .putAttestations(let request): request.items.count
        case .admit(let request): request.images.count
        default: 1
        }
    }
}
