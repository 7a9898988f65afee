package dev.skyloom.manifest;

/**
 * What the local cloud's in-process Lambda runtime promises hosted functions beyond the Lambda Java runtime.
 *
 * <p>On AWS every function has its own process environment. In the local cloud all functions share one JVM, so
 * {@code System.getenv()} cannot differ per function; instead the runtime puts each function's environment
 * (its {@code Environment.Variables} plus the variables Lambda itself sets, such as {@code AWS_REGION} and
 * {@code AWS_LAMBDA_FUNCTION_NAME}) in a properties resource visible only to that function's class loader. A handler
 * reads its environment as {@code System.getenv()} overlaid with this resource when it is present: on AWS it never is.
 */
public final class LocalLambdaContract {
    /** Class-path resource, in the function's own class loader, holding its environment as properties. */
    public static final String ENVIRONMENT_RESOURCE = "META-INF/skyloom/lambda-environment.properties";

    /** Set in the environment of functions hosted by the local cloud: the edge every SDK client must use. */
    public static final String ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL";

    private LocalLambdaContract() {
    }
}
