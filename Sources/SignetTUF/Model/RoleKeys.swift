/// A role's keys and threshold: `{"keyids":[…],"threshold":N}`.
public struct RoleKeys: Sendable, Equatable {
    public var keyIDs: [String]
    public var threshold: Int64

    public init(keyIDs: [String], threshold: Int64) {
        self.keyIDs = keyIDs
        self.threshold = threshold
    }

    var json: JSONValue { .object(["keyids": .array(keyIDs.map { .string($0) }), "threshold": .int(threshold)]) }
}
