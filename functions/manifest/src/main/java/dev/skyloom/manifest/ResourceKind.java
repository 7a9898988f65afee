package dev.skyloom.manifest;

/** The kinds of resource a manifest declares. */
public enum ResourceKind { TABLE, QUEUE, BUCKET, FUNCTION }
