package dev.skyloom.core.agent.model;

/** Who wrote a message of the conversation. */
public enum Role {
    USER, ASSISTANT
}
