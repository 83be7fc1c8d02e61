/// Router: canonical events, source decoders and compiled matchers. Pure: no I/O.
@_exported import RuleParser
