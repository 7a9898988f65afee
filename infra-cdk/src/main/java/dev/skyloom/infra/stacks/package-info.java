/**
 * The stacks of one stage. They hold no resource logic: each composes constructs of
 * {@code dev.skyloom.infra.constructs} and wires their outputs together.
 */
package dev.skyloom.infra.stacks;
