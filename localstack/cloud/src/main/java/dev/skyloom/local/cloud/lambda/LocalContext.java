package dev.skyloom.local.cloud.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/** The {@link Context} of one invocation: identity, deadline and logger, as the Lambda Java runtime provides them. */
final class LocalContext implements Context {
    private final String requestId;
    private final FunctionConfig function;
    private final String functionArn;
    private final long deadlineNanos;
    private final String logStreamName;
    private final LambdaLogger logger;

    LocalContext(String requestId, FunctionConfig function, String functionArn, long deadlineNanos,
                 String logStreamName, InvocationLog log) {
        this.requestId = requestId;
        this.function = function;
        this.functionArn = functionArn;
        this.deadlineNanos = deadlineNanos;
        this.logStreamName = logStreamName;
        this.logger = new LambdaLogger() {
            @Override
            public void log(String message) {
                // as on AWS, the logger writes to the function's standard output; the invocation thread's log
                // (InvocationLog) keeps its copy, so only the console needs it here
                String line = message.endsWith("\n") ? message : message + "\n";
                if (InvocationLog.isBound()) {
                    System.out.print(line);
                } else {
                    log.append(line);
                    System.out.print(line);
                }
            }

            @Override
            public void log(byte[] message) {
                log(new String(message, StandardCharsets.UTF_8));
            }
        };
    }

    @Override
    public String getAwsRequestId() {
        return requestId;
    }

    @Override
    public String getLogGroupName() {
        return "/aws/lambda/" + function.functionName();
    }

    @Override
    public String getLogStreamName() {
        return logStreamName;
    }

    @Override
    public String getFunctionName() {
        return function.functionName();
    }

    @Override
    public String getFunctionVersion() {
        return "$LATEST";
    }

    @Override
    public String getInvokedFunctionArn() {
        return functionArn;
    }

    @Override
    public CognitoIdentity getIdentity() {
        return null;
    }

    @Override
    public ClientContext getClientContext() {
        return null;
    }

    @Override
    public int getRemainingTimeInMillis() {
        long remaining = (deadlineNanos - System.nanoTime()) / 1_000_000L;
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, remaining));
    }

    @Override
    public int getMemoryLimitInMB() {
        return function.memorySize();
    }

    @Override
    public LambdaLogger getLogger() {
        return logger;
    }
}
