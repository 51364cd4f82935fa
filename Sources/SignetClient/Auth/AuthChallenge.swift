import SignetSupport

/// One `WWW-Authenticate` challenge (RFC 9110 §11.6.1): a scheme and its auth-params, e.g.
/// `Bearer realm="https://auth.example.com/token",service="notary",scope="repository:x:pull"`.
///
/// Quoted values are read by `QuotedString`; a quoted value that is unterminated or holds a control
/// character ends the header value there (that parameter and the rest are dropped).
struct AuthChallenge: Equatable {
    /// Lowercased: `bearer`, `basic`.
    var scheme: String
    var parameters: [String: String]

    /// Parses every challenge in the header values (several may share one value).
    static func parse(_ values: [String]) -> [AuthChallenge] {
        var challenges: [AuthChallenge] = []
        for value in values {
            var scanner = Substring(value)
            while true {
                scanner = scanner.drop { $0 == " " || $0 == "," }
                let scheme = scanner.prefix { $0 != " " && $0 != "," }
                guard !scheme.isEmpty else { break }
                scanner = scanner.dropFirst(scheme.count)
                var parameters: [String: String] = [:]
                // auth-params: name=value or name="quoted", separated by commas.
                while true {
                    let rest = scanner.drop { $0 == " " || $0 == "," }
                    let name = rest.prefix { $0 != "=" && $0 != " " && $0 != "," }
                    guard !name.isEmpty, rest.dropFirst(name.count).first == "=" else { break }
                    var cursor = rest.dropFirst(name.count + 1)
                    var parsed = ""
                    if cursor.first == "\"" {
                        guard let (value, rest) = QuotedString.read(cursor) else {
                            scanner = cursor[cursor.endIndex...]
                            break
                        }
                        parsed = value
                        cursor = rest
                    } else {
                        parsed = String(cursor.prefix { $0 != "," && $0 != " " })
                        cursor = cursor.dropFirst(parsed.count)
                    }
                    parameters[name.lowercased()] = parsed
                    scanner = cursor
                }
                challenges.append(AuthChallenge(scheme: scheme.lowercased(), parameters: parameters))
            }
        }
        return challenges
    }
}
