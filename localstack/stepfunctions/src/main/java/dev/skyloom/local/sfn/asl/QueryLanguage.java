package dev.skyloom.local.sfn.asl;

/** The query language of a state: JSONPath (the default) or JSONata. */
public enum QueryLanguage {
    JSONPATH("JSONPath"), JSONATA("JSONata");

    private final String wireName;

    QueryLanguage(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    public static QueryLanguage fromWire(String s) {
        for (QueryLanguage q : values()) {
            if (q.wireName.equals(s)) {
                return q;
            }
        }
        return null;
    }
}
