/// Short text renderings of tool results, for hosts that show only text: the answer on the first line, a few lines
/// after it. One extension per tool family (`Render+Workflows.swift`, `Render+Definitions.swift`, …).
enum Render {}
