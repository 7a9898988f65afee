package dev.skyloom.local.cloud.lambda;

/**
 * The parent of every function's class loader. It exposes the JDK and the Lambda runtime interfaces
 * ({@code com.amazonaws.services.lambda.runtime}, as the Java runtime on AWS provides them) and nothing else of the
 * local cloud, so a function sees only its own libraries, as in its own Lambda sandbox.
 */
final class RuntimeApiClassLoader extends ClassLoader {
    private static final String RUNTIME_PACKAGE = "com.amazonaws.services.lambda.runtime.";

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader runtime;

    RuntimeApiClassLoader(ClassLoader runtime) {
        super("lambda-runtime-api", ClassLoader.getPlatformClassLoader());
        this.runtime = runtime;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(RUNTIME_PACKAGE)) {
            return runtime.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }
}
