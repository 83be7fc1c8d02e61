/// Loads a rules file N times: a driver for profilers (`perf record .build/release/LoadDriver FILE 5`).
import Foundation
import Router

let arguments = CommandLine.arguments
guard arguments.count >= 2, let data = FileManager.default.contents(atPath: arguments[1]) else {
    print("usage: LoadDriver RULES_FILE [TIMES]")
    exit(2)
}
let times = arguments.count > 2 ? Int(arguments[2]) ?? 1 : 1
let bytes = [UInt8](data)
for _ in 0..<times {
    let result = RulesLoader(environment: [:]).load([(arguments[1], bytes)])
    precondition(result.rules != nil, "the file does not load")
}
