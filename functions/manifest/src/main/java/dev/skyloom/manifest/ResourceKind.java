package dev.skyloom.manifest;

/**
 * The kinds of resource a manifest declares or refers to. {@link #STATE_MACHINE}s are declared by their definition
 * files ({@link StateMachineSpec}); {@link #MODEL} stands for the Bedrock models of the deployment's region, which no
 * deployer creates; a {@link #ROLE} is an execution role the deployment creates for state machines the platform
 * creates at run time ({@link RoleSpec}).
 */
public enum ResourceKind { TABLE, QUEUE, BUCKET, FUNCTION, EVENT_BUS, STATE_MACHINE, MODEL, ROLE }
