/// Router: canonical events, source decoders and compiled matchers. Pure: no I/O, no clock.
@_exported import RuleParser
