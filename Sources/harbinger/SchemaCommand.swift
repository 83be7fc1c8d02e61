/// `harbinger schema`: print the JSON Schema of the rules file.
import ArgumentParser
import RuleParser

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the rules file, for editors.",
        discussion: """
            Save it and point yaml-language-server at it for completion and inline errors, e.g. add \
            '# yaml-language-server: $schema=./harbinger.schema.json' as the first line of the rules file. \
            The schema checks structure; 'harbinger check' also checks values (globs, regexes, templates, \
            environment variables) and references between rules and sources.
            """
    )

    func run() {
        print(RulesSchema.document.serialized(indent: 2))
    }
}
