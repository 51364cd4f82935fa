import FoundationEssentials

/// An access policy document as `JSONDecoder` reads it: `{"rules": [...]}` or the bare list of
/// rules, each `{"identities": [...], "guns": [...], "actions": [...]}` (docs/access-control.md).
/// Every wrong or missing field is a `ConfigProblem` naming the rule by its 1-based number.
struct PolicyDocument: Decodable {
    var policy: AccessPolicy

    init(from decoder: Decoder) throws {
        var list: UnkeyedDecodingContainer
        if let object = try? decoder.container(keyedBy: ConfigKey.self),
           let rules = try? object.nestedUnkeyedContainer(forKey: ConfigKey("rules")) {
            list = rules
        } else if let rules = try? decoder.unkeyedContainer() {
            list = rules
        } else {
            throw ConfigProblem(#"a policy is {"rules": [...]}"#)
        }
        var rules: [AccessPolicy.Rule] = []
        while !list.isAtEnd {
            let name = "rule \(list.currentIndex + 1)"
            guard let rule = try? list.nestedContainer(keyedBy: ConfigKey.self) else { throw ConfigProblem("\(name) is not an object") }
            let identitiesProblem = "\(name): identities must be a non-empty list of strings"
            guard let identities = try rule.value("identities", as: [String].self, identitiesProblem), !identities.isEmpty else {
                throw ConfigProblem(identitiesProblem)
            }
            let gunsProblem = "\(name): guns must be a non-empty list of GUN patterns"
            guard let guns = try rule.value("guns", as: [String].self, gunsProblem), !guns.isEmpty, guns.allSatisfy({ !$0.isEmpty }) else {
                throw ConfigProblem(gunsProblem)
            }
            let actionsProblem = "\(name): actions must be a non-empty list of pull, push, *"
            guard let names = try rule.value("actions", as: [String].self, actionsProblem), !names.isEmpty else {
                throw ConfigProblem(actionsProblem)
            }
            var actions = Set<AccessAction>()
            for action in names {
                guard let parsed = AccessAction(name: action) else { throw ConfigProblem("\(name): unknown action \(action) (pull, push or *)") }
                actions.insert(parsed)
            }
            rules.append(AccessPolicy.Rule(identities: identities, guns: guns, actions: actions))
        }
        policy = AccessPolicy(rules: rules)
    }
}
