import SignetTUF

/// JSON parser + canonical encoder.
///
/// Properties, for every input the parser accepts:
/// - Notary's stored (HTML-escaped) canonical form parses back to the same value; so does the plain
///   form, unless a string holds a control character: the plain form writes those raw as Notary's
///   encoder does (reference §3.2), which no JSON parser reads, and it is only ever hashed;
/// - canonicalising is idempotent: encoding the re-parsed value gives the same bytes;
/// - the encoder refuses only values holding a fractional number (canonical JSON is integers only).
public enum JSONFuzzTarget {
    public static func fuzzOne(_ bytes: [UInt8]) throws(FuzzPropertyViolation) {
        guard let value = try? JSONParser.parse(bytes) else { return }
        let canonical: [UInt8]
        do {
            canonical = try CanonicalJSON.encode(value)
        } catch {
            guard containsFractional(value) else { throw FuzzPropertyViolation(.json, "the encoder refused a value without fractions: \(error)") }
            return
        }
        for htmlEscaped in [false, true] where htmlEscaped || !containsControlCharacter(value) {
            let encoded = htmlEscaped ? ((try? CanonicalJSON.encode(value, htmlEscaped: true)) ?? []) : canonical
            let reparsed: JSONValue
            do {
                reparsed = try JSONParser.parse(encoded)
            } catch {
                throw FuzzPropertyViolation(.json, "canonical bytes (htmlEscaped: \(htmlEscaped)) do not parse: \(error)")
            }
            guard reparsed == value else {
                throw FuzzPropertyViolation(.json, "parse → canonicalize (htmlEscaped: \(htmlEscaped)) → parse changed the value")
            }
            guard (try? CanonicalJSON.encode(reparsed, htmlEscaped: htmlEscaped)) == encoded else {
                throw FuzzPropertyViolation(.json, "canonicalize is not idempotent (htmlEscaped: \(htmlEscaped))")
            }
        }
    }

    static func containsControlCharacter(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let string): string.utf8.contains { $0 < 0x20 }
        case .array(let elements): elements.contains(where: containsControlCharacter)
        case .object(let members): members.contains { key, member in containsControlCharacter(.string(key)) || containsControlCharacter(member) }
        case .null, .bool, .int, .fractional: false
        }
    }

    static func containsFractional(_ value: JSONValue) -> Bool {
        switch value {
        case .fractional: true
        case .array(let elements): elements.contains(where: containsFractional)
        case .object(let members): members.values.contains(where: containsFractional)
        case .null, .bool, .int, .string: false
        }
    }
}
