extension String {
    /// Whether two strings hold exactly the same UTF-8 bytes.
    ///
    /// Swift's `==` compares by Unicode canonical equivalence (`"K" == "\u{212A}"`); signed data must compare
    /// bytes, as Go and the JSON specification do. This is also much faster than `utf8.elementsEqual`.
    func hasSameBytes(as other: String) -> Bool {
        let fast = utf8.withContiguousStorageIfAvailable { lhs in
            other.utf8.withContiguousStorageIfAvailable { rhs in
                guard lhs.count == rhs.count else { return false }
                guard let left = lhs.baseAddress, let right = rhs.baseAddress, left != right else { return true }
                for index in 0..<lhs.count where left[index] != right[index] { return false }
                return true
            }
        }
        if let fast, let result = fast { return result }
        return utf8.elementsEqual(other.utf8)
    }
}
