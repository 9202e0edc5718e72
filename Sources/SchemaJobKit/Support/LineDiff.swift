/// A line diff in the unified format `diff -u` and `git diff` print, computed here so
/// `render --check` and `diff` need no `diff` binary on the machine that runs them.
public enum LineDiff {
    enum Edit: Equatable {
        case same(String), removed(String), added(String)
    }

    /// Lines of `text`; a last line without a newline is still a line.
    static func lines(_ text: String) -> [String] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The edits that turn `old` into `new`: common lines kept, as few lines removed and
    /// added as a longest common subsequence allows. Common heads and tails are cut off
    /// first, so a one-line change in a long file costs next to nothing.
    static func edits(_ old: [String], _ new: [String]) -> [Edit] {
        var head = 0
        while head < old.count && head < new.count && old[head] == new[head] { head += 1 }
        var tail = 0
        while tail < old.count - head && tail < new.count - head
            && old[old.count - 1 - tail] == new[new.count - 1 - tail] { tail += 1 }
        let a = Array(old[head..<(old.count - tail)])
        let b = Array(new[head..<(new.count - tail)])
        var middle: [Edit] = []
        if a.count * b.count > 25_000_000 {
            // Too large to align line by line in reasonable memory: show it replaced.
            middle = a.map(Edit.removed) + b.map(Edit.added)
        } else {
            // lengths[i][j]: longest common subsequence of a[i...] and b[j...].
            let width = b.count + 1
            var lengths = [Int32](repeating: 0, count: (a.count + 1) * width)
            for i in stride(from: a.count - 1, through: 0, by: -1) {
                for j in stride(from: b.count - 1, through: 0, by: -1) {
                    lengths[i * width + j] = a[i] == b[j]
                        ? lengths[(i + 1) * width + j + 1] + 1
                        : max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
                }
            }
            var i = 0, j = 0
            while i < a.count || j < b.count {
                if i < a.count && j < b.count && a[i] == b[j] {
                    middle.append(.same(a[i])); i += 1; j += 1
                } else if i < a.count && (j == b.count || lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
                    middle.append(.removed(a[i])); i += 1
                } else {
                    middle.append(.added(b[j])); j += 1
                }
            }
        }
        return old[..<head].map(Edit.same) + middle + old[(old.count - tail)...].map(Edit.same)
    }

    /// `--- old` / `+++ new` and `@@` hunks with `context` lines around each change;
    /// empty when the texts are equal.
    public static func unified(old: String, new: String, oldLabel: String, newLabel: String, context: Int = 3) -> String {
        guard old != new else { return "" }
        let edits = edits(lines(old), lines(new))
        let changed = edits.indices.filter { if case .same = edits[$0] { return false } else { return true } }
        guard !changed.isEmpty else { return "" }  // differs only in a final newline
        // Group changes whose context would touch into one hunk.
        var hunks: [ClosedRange<Int>] = []
        for index in changed {
            let range = max(0, index - context)...min(edits.count - 1, index + context)
            if let last = hunks.last, range.lowerBound <= last.upperBound + 1 {
                hunks[hunks.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                hunks.append(range)
            }
        }
        var text = "--- \(oldLabel)\n+++ \(newLabel)\n"
        var oldLine = 1, newLine = 1, position = 0
        for hunk in hunks {
            while position < hunk.lowerBound {
                if case .added = edits[position] {} else { oldLine += 1 }
                if case .removed = edits[position] {} else { newLine += 1 }
                position += 1
            }
            let slice = edits[hunk]
            let oldCount = slice.filter { if case .added = $0 { return false } else { return true } }.count
            let newCount = slice.filter { if case .removed = $0 { return false } else { return true } }.count
            text += "@@ -\(oldCount == 0 ? oldLine - 1 : oldLine),\(oldCount) +\(newCount == 0 ? newLine - 1 : newLine),\(newCount) @@\n"
            for edit in slice {
                switch edit {
                case .same(let line): text += " \(line)\n"; oldLine += 1; newLine += 1
                case .removed(let line): text += "-\(line)\n"; oldLine += 1
                case .added(let line): text += "+\(line)\n"; newLine += 1
                }
                position += 1
            }
        }
        return text
    }
}
