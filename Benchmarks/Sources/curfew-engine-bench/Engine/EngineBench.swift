enum EngineBench {
    static func run(_ arguments: ArraySlice<String>) throws(UsageError) -> (report: JSONObject, problems: [String]) {
        throw UsageError(message: "not yet")
    }
}
