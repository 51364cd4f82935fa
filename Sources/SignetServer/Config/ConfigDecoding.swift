import FoundationEssentials
import SignetTUF

/// How `signet serve`'s JSON files (the config file, policy files) are decoded: Signet's strict
/// `JSONParser` first checks the document (it refuses duplicate keys and over-deep nesting, which
/// `JSONDecoder` would accept), then `JSONDecoder` decodes it into the `Decodable` types
/// (`ConfigFile`, `PolicyDocument`), whose wrong types become one `ConfigProblem` naming the key.
enum ConfigDecoding {
    /// The decoded `T` of `bytes`, or nil when `bytes` are not strict JSON (or, with
    /// `objectOnly`, not a JSON object).
    /// - Throws: `ConfigProblem` from `T`'s decoding.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], objectOnly: Bool = false) throws -> T? {
        guard let value = try? JSONParser.parse(bytes, what: "config") else { return nil }
        if objectOnly, case .object = value {} else if objectOnly { return nil }
        let decoder = JSONDecoder()
        decoder.userInfo[document] = value
        do {
            return try decoder.decode(T.self, from: Data(bytes))
        } catch let problem as ConfigProblem {
            throw problem
        } catch {
            // Only a wrong type outside every field the types read can get here (they map the rest).
            throw ConfigProblem("has an unexpected shape: \(error)")
        }
    }
}

extension ConfigDecoding {
    /// The document as Signet's parser read it, for what `JSONDecoder` does not tell apart: an
    /// integer (`3`) from a number with a fraction or exponent (`3.0`, `1.5`, `1e3`).
    static let document = CodingUserInfoKey(rawValue: "signet.document")!

    /// The value at `path` in `root`; nil when the path leads nowhere.
    static func value(at path: [any CodingKey], in root: JSONValue) -> JSONValue? {
        var current = root
        for key in path {
            switch current {
            case .object(let members): guard let next = members[key.stringValue] else { return nil }; current = next
            case .array(let elements): guard let index = key.intValue, elements.indices.contains(index) else { return nil }; current = elements[index]
            default: return nil
            }
        }
        return current
    }
}

/// What is wrong with one key of a config or policy document, e.g. `server.listen must be a
/// string`; the loader prefixes the file name.
struct ConfigProblem: Error {
    var text: String
    init(_ text: String) { self.text = text }
}

/// Any JSON object key.
struct ConfigKey: CodingKey {
    var stringValue: String
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

extension KeyedDecodingContainer where Key == ConfigKey {
    /// The value of `key` as `T`; nil when the key is absent.
    /// - Throws: `ConfigProblem(problem)` when it is present with another type (`null` included).
    func value<T: Decodable>(_ key: String, as type: T.Type, _ problem: @autoclosure () -> String) throws -> T? {
        let key = ConfigKey(key)
        guard contains(key) else { return nil }
        do {
            return try decode(T.self, forKey: key)
        } catch let inner as ConfigProblem {
            throw inner
        } catch {
            // A DecodingError, or JSONDecoder's own error for a number that does not fit `T` (1.5 as Int).
            throw ConfigProblem(problem())
        }
    }

    /// The integer at `key` within `range`; nil when absent.
    /// - Throws: `ConfigProblem` naming `name` and the range for another type or a number outside it.
    func integer(_ key: String, _ name: String, in range: ClosedRange<Int>) throws -> Int? {
        let problem = "\(name) must be an integer in \(range.lowerBound)…\(range.upperBound)"
        guard let number = try value(key, as: Int.self, problem) else { return nil }
        // JSONDecoder reads 1.5 and 1e3 as integers too; Signet's parser says how it was written.
        let decoder = try superDecoder(forKey: ConfigKey(key))
        guard let root = decoder.userInfo[ConfigDecoding.document] as? JSONValue,
              case .int? = ConfigDecoding.value(at: decoder.codingPath, in: root)
        else { throw ConfigProblem(problem) }
        guard range.contains(number) else { throw ConfigProblem(problem) }
        return number
    }

    /// The object at `key`; nil when it is absent or not an object (a section of another type is
    /// ignored, as it always was).
    func section(_ key: String) -> KeyedDecodingContainer<ConfigKey>? {
        try? nestedContainer(keyedBy: ConfigKey.self, forKey: ConfigKey(key))
    }
}
