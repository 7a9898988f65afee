package dev.skyloom.local.sfn.asl;

/** A parsed and validated state machine definition. Immutable; shared by every execution that uses it. */
public record Definition(Scope root, Integer timeoutSeconds, QueryLanguage queryLanguage, String comment) {
}
