import ArgumentParser

/// The release engineer's commands (client layer), registered in `Signet`'s subcommands.
enum ClientCommands {
    static let all: [ParsableCommand.Type] = [
        InitCommand.self, AddCommand.self, RemoveCommand.self, StatusCommand.self, ExpiryCommand.self, HistoryCommand.self, ResetCommand.self,
        PublishCommand.self, KeyCommand.self, DelegationCommand.self, WitnessCommand.self, DeleteCommand.self, AgentCommand.self,
    ]
}
