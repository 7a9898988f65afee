package dev.skyloom.manifest;

/** An EventBridge event bus (the CDK app also archives every event it carries). */
public record EventBusSpec(String name, String description) {
    public EventBusSpec {
        Names.requireLogical("event bus", name);
    }
}
