import Testing

@testable import AttestCore

struct JSONValueTests {
    @Test func serializesCompactlyInStoredOrder() {
        let value: JSONValue = [
            "z": 1, "a": [true, false, nil], "m": ["nested": "x"], "n": .number("-1.5e3"), "e": [:],
        ]
        #expect(
            String(decoding: value.serialized(), as: UTF8.self)
                == #"{"z":1,"a":[true,false,null],"m":{"nested":"x"},"n":-1.5e3,"e":{}}"#
        )
    }

    @Test func escapesStringsMinimally() {
        let value = JSONValue.string("q\"b\\s/\u{8}\u{C}\n\r\t\u{0}\u{1F}\u{7F}é😀")
        let text = String(decoding: value.serialized(), as: UTF8.self)
        #expect(text == "\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u001f\u{7F}é😀\"")
    }

    @Test(
        arguments: [
            JSONValue.null, true, 0, "", [], [:], ["k": ["k": ["k": [1, "2", nil]]]],
            .string(String(repeating: "\u{1}\"\\é", count: 50)),
        ]
    )
    func roundTripsThroughTheParser(value: JSONValue) throws {
        #expect(try StrictJSON().parse(value.serialized()) == value)
    }

    @Test func objectSubscriptReplacesAppendsAndRemoves() {
        var object: JSONObject = ["a": 1, "b": 2]
        object["a"] = 3
        object["c"] = 4
        object["b"] = nil
        #expect(object.keys == ["a", "c"])
        #expect(object["a"] == 3)
        #expect(!object.contains(key: "b"))
        for index in 0..<40 { object["k\(index)"] = .integer(index) }
        object["k5"] = nil
        #expect(object["k6"] == 6)
        #expect(object["k5"] == nil)
        #expect(object.count == 41)
    }

    @Test func equalityIsOrderedAndBytewise() {
        let ab: JSONObject = ["a": 1, "b": 2]
        let ba: JSONObject = ["b": 2, "a": 1]
        #expect(ab != ba)
        #expect(JSONValue.string("K") != .string("\u{212A}"))
        #expect(Set<JSONValue>([.string("K"), .string("\u{212A}")]).count == 2)
        #expect(JSONValue.number("1.0") != .number("1"))
    }

    @Test func typeNamesAndAccessors() {
        #expect(JSONValue.null.typeName == "null")
        #expect(JSONValue.bool(true).typeName == "boolean")
        #expect(JSONValue.number("1").typeName == "number")
        #expect(JSONValue.string("").typeName == "string")
        #expect(JSONValue.array([]).typeName == "array")
        #expect(JSONValue.object([:]).typeName == "object")
        #expect(JSONValue.null.isNull)
        #expect(JSONValue.bool(false).boolValue == false)
        #expect(JSONValue.string("x").objectValue == nil)
        #expect(JSONValue.array([1]).arrayValue == [1])
        #expect(JSONValue.number("1e3").intValue == nil)
    }
}
