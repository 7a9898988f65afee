package dev.skyloom.aws.runs;

import dev.skyloom.core.runs.PipelineEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.CreateStateMachineResponse;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionAlreadyExistsException;
import software.amazon.awssdk.services.sfn.model.ExecutionDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.InvalidTokenException;
import software.amazon.awssdk.services.sfn.model.StateMachineDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.StateMachineType;
import software.amazon.awssdk.services.sfn.model.TaskDoesNotExistException;
import software.amazon.awssdk.services.sfn.model.TaskTimedOutException;

/**
 * {@link PipelineEngine} on the Step Functions API (AWS, or the local cloud's engine through the same SDK). State
 * machine ARNs are built from the deployment's agent-step ARN (same account and region), executions are named by
 * the caller.
 */
public final class SfnPipelineEngine implements PipelineEngine {
    private final SfnClient sfn;
    private final String arnPrefix;
    private final String roleArn;

    /**
     * @param sameAccountStateMachineArn any state machine ARN of the deployment (its account and region are used)
     * @param roleArn                    the execution role of pipeline state machines
     */
    public SfnPipelineEngine(SfnClient sfn, String sameAccountStateMachineArn, String roleArn) {
        this.sfn = sfn;
        int at = sameAccountStateMachineArn.indexOf(":stateMachine:");
        if (at < 0) {
            throw new IllegalArgumentException("not a state machine ARN: " + sameAccountStateMachineArn);
        }
        this.arnPrefix = sameAccountStateMachineArn.substring(0, at) + ":stateMachine:";
        this.roleArn = roleArn;
    }

    String arn(String name) {
        return arnPrefix + name;
    }

    @Override
    public String deploy(String name, String definition, String versionDescription) {
        try {
            return sfn.updateStateMachine(b -> b.stateMachineArn(arn(name)).definition(definition).roleArn(roleArn)
                    .publish(true).versionDescription(versionDescription)).stateMachineVersionArn();
        } catch (StateMachineDoesNotExistException e) {
            CreateStateMachineResponse created = sfn.createStateMachine(b -> b.name(name).definition(definition)
                    .roleArn(roleArn).type(StateMachineType.STANDARD).publish(true)
                    .versionDescription(versionDescription));
            return created.stateMachineVersionArn();
        }
    }

    @Override
    public void delete(String name) {
        try {
            sfn.deleteStateMachine(b -> b.stateMachineArn(arn(name)));
        } catch (StateMachineDoesNotExistException e) {
            // gone already
        }
    }

    @Override
    public String start(String versionArn, String executionName, String input) {
        try {
            return sfn.startExecution(b -> b.stateMachineArn(versionArn).name(executionName).input(input))
                    .executionArn();
        } catch (ExecutionAlreadyExistsException e) {
            String machine = versionArn.replaceFirst(":\\d+$", "").replace(":stateMachine:", ":execution:");
            return machine + ":" + executionName;
        }
    }

    @Override
    public Optional<Execution> describe(String executionArn) {
        try {
            DescribeExecutionResponse e = sfn.describeExecution(b -> b.executionArn(executionArn));
            return Optional.of(new Execution(e.executionArn(), e.statusAsString(), e.startDate(), e.stopDate(),
                    e.input(), e.output(), e.error(), e.cause()));
        } catch (ExecutionDoesNotExistException e) {
            return Optional.empty();
        }
    }

    @Override
    public void stop(String executionArn, String error, String cause) {
        try {
            sfn.stopExecution(b -> b.executionArn(executionArn).error(error).cause(cause));
        } catch (ExecutionDoesNotExistException e) {
            // nothing to stop
        }
    }

    @Override
    public List<HistoryEvent> history(String executionArn) {
        List<HistoryEvent> events = new ArrayList<>();
        try {
            sfn.getExecutionHistoryPaginator(b -> b.executionArn(executionArn).maxResults(1000)).events()
                    .forEach(e -> {
                        String state = null;
                        Map<String, String> assigned = Map.of();
                        if (e.stateEnteredEventDetails() != null) {
                            state = e.stateEnteredEventDetails().name();
                        }
                        if (e.stateExitedEventDetails() != null) {
                            state = e.stateExitedEventDetails().name();
                            if (e.stateExitedEventDetails().hasAssignedVariables()) {
                                assigned = new LinkedHashMap<>(e.stateExitedEventDetails().assignedVariables());
                            }
                        }
                        String parameters = e.taskScheduledEventDetails() == null ? null
                                : e.taskScheduledEventDetails().parameters();
                        events.add(new HistoryEvent(e.id(), e.typeAsString(), e.timestamp(), state, parameters,
                                assigned));
                    });
        } catch (ExecutionDoesNotExistException e) {
            return List.of();
        }
        return events;
    }

    @Override
    public boolean sendTaskSuccess(String taskToken, String output) {
        try {
            sfn.sendTaskSuccess(b -> b.taskToken(taskToken).output(output));
            return true;
        } catch (InvalidTokenException | TaskDoesNotExistException | TaskTimedOutException e) {
            return false;
        }
    }
}
