package dev.skyloom.local.cloud.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One initialised execution environment of a function: its own class loader over the deployment package, the
 * handler object (constructed once, as in a warm Lambda sandbox) and the way to call it.
 *
 * <p>Handlers are found as the Lambda Java runtime finds them: {@code Class::method} or a class implementing
 * {@code RequestHandler} / {@code RequestStreamHandler}; a stream method gets the raw payload, a POJO method gets it
 * deserialised with the runtime's own serialisation library (event types included).
 */
final class FunctionInstance implements AutoCloseable {
    private final URLClassLoader loader;
    private final Object target;
    private final Method method;
    private final Kind kind;
    private final PojoSerializer<Object> input;
    private final PojoSerializer<Object> output;

    private enum Kind { STREAM, POJO, NO_INPUT }

    private FunctionInstance(URLClassLoader loader, Object target, Method method, Kind kind,
                             PojoSerializer<Object> input, PojoSerializer<Object> output) {
        this.loader = loader;
        this.target = target;
        this.method = method;
        this.kind = kind;
        this.input = input;
        this.output = output;
    }

    /** Thrown when the function cannot be initialised; carries the error AWS would report. */
    static final class InitException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String errorType;

        InitException(String errorType, String message, Throwable cause) {
            super(message, cause);
            this.errorType = errorType;
        }

        String errorType() {
            return errorType;
        }
    }

    static FunctionInstance load(FunctionConfig config, List<Path> classpath, ClassLoader runtimeApi)
            throws InitException {
        URLClassLoader loader = new URLClassLoader("lambda:" + config.functionName(), urls(classpath),
                new RuntimeApiClassLoader(runtimeApi));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            String handler = config.handler();
            int sep = handler.indexOf("::");
            String className = sep < 0 ? handler : handler.substring(0, sep);
            String methodName = sep < 0 ? null : handler.substring(sep + 2);
            Class<?> type;
            try {
                type = Class.forName(className, true, loader);
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                throw new InitException("java.lang.ClassNotFoundException",
                        "Class not found: " + className + " (handler " + handler + ")", e);
            } catch (ExceptionInInitializerError e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new InitException(cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
            }
            Method method = findMethod(type, methodName, handler);
            Object target = null;
            if (!Modifier.isStatic(method.getModifiers())) {
                try {
                    target = type.getConstructor().newInstance();
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    throw new InitException(cause.getClass().getName(), String.valueOf(cause.getMessage()), cause);
                } catch (ReflectiveOperationException e) {
                    throw new InitException("java.lang.NoSuchMethodException", "Class " + className
                            + " needs a public no-argument constructor to be a Lambda handler", e);
                }
            }
            method.setAccessible(true);
            Class<?>[] params = method.getParameterTypes();
            if (params.length >= 2 && InputStream.class.isAssignableFrom(params[0])
                    && OutputStream.class.isAssignableFrom(params[1])) {
                return new FunctionInstance(loader, target, method, Kind.STREAM, null, null);
            }
            PojoSerializer<Object> out = method.getReturnType() == void.class ? null
                    : serializerFor(method.getGenericReturnType(), loader);
            if (params.length == 0 || params[0] == Context.class) {
                return new FunctionInstance(loader, target, method, Kind.NO_INPUT, null, out);
            }
            return new FunctionInstance(loader, target, method, Kind.POJO,
                    serializerFor(method.getGenericParameterTypes()[0], loader), out);
        } catch (InitException e) {
            closeQuietly(loader);
            throw e;
        } catch (RuntimeException | LinkageError e) {
            closeQuietly(loader);
            throw new InitException(e.getClass().getName(), String.valueOf(e.getMessage()), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static Method findMethod(Class<?> type, String name, String handler) throws InitException {
        if (name == null) {
            name = "handleRequest";
        }
        String wanted = name;
        List<Method> candidates = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(wanted) && !m.isBridge() && !m.isSynthetic())
                .filter(m -> m.getParameterCount() <= 3)
                .toList();
        if (candidates.isEmpty()) {
            throw new InitException("java.lang.NoSuchMethodException", "No public method named " + name
                    + " with appropriate signature found on class " + type.getName() + " (handler " + handler + ")",
                    null);
        }
        // Prefer the stream signature, then the most parameters, then the most specific input type, as the runtime does.
        return candidates.stream().max(Comparator
                .comparingInt((Method m) -> isStream(m) ? 1 : 0)
                .thenComparingInt(Method::getParameterCount)
                .thenComparingInt(m -> m.getParameterCount() > 0 && m.getParameterTypes()[0] == Object.class ? 0 : 1))
                .orElseThrow();
    }

    private static boolean isStream(Method m) {
        Class<?>[] p = m.getParameterTypes();
        return p.length >= 2 && InputStream.class.isAssignableFrom(p[0]) && OutputStream.class.isAssignableFrom(p[1]);
    }

    @SuppressWarnings("unchecked")
    private static PojoSerializer<Object> serializerFor(Type type, ClassLoader loader) {
        Class<?> raw = type instanceof Class<?> c ? c
                : type instanceof ParameterizedType p ? (Class<?>) p.getRawType() : Object.class;
        if (LambdaEventSerializers.isLambdaSupportedEvent(raw.getName())) {
            return (PojoSerializer<Object>) LambdaEventSerializers.serializerFor(raw, loader);
        }
        return JacksonFactory.getInstance().getSerializer(type);
    }

    /**
     * Calls the handler. Returns the response payload; a handler exception propagates as it was thrown.
     */
    byte[] invoke(byte[] payload, Context context) throws Throwable {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            Object[] args;
            ByteArrayOutputStream out = null;
            switch (kind) {
                case STREAM -> {
                    out = new ByteArrayOutputStream();
                    args = method.getParameterCount() == 3
                            ? new Object[] {new ByteArrayInputStream(payload), out, context}
                            : new Object[] {new ByteArrayInputStream(payload), out};
                }
                case POJO -> {
                    Object in = payload.length == 0 ? null : input.fromJson(new ByteArrayInputStream(payload));
                    args = method.getParameterCount() == 2 ? new Object[] {in, context} : new Object[] {in};
                }
                default -> args = method.getParameterCount() == 1 ? new Object[] {context} : new Object[0];
            }
            Object result;
            try {
                result = method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
            if (out != null) {
                return out.toByteArray();
            }
            if (output == null || result == null) {
                return "null".getBytes(StandardCharsets.UTF_8);
            }
            ByteArrayOutputStream json = new ByteArrayOutputStream();
            output.toJson(result, json);
            return json.toByteArray();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void close() {
        closeQuietly(loader);
    }

    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean retired;

    /** An invocation starts using this environment; false when it was retired meanwhile (take a new one). */
    boolean acquire() {
        inFlight.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    /** An invocation is done with this environment; the last one out of a retired environment closes it. */
    void release() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            closeQuietly(loader);
        }
    }

    /**
     * No new invocation gets this environment (its function's code or configuration changed); invocations in flight
     * finish on it, as on AWS, and the last one closes it. Closing at once would pull the classes from under them.
     */
    void retire() {
        retired = true;
        if (inFlight.get() == 0) {
            closeQuietly(loader);
        }
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException ignored) {
            // the loader's jars are closed on a best-effort basis
        }
    }

    /** The class path of a code location: a jar, or a directory with classes at its root and jars under lib/. */
    static List<Path> classpathOf(Path code) throws IOException {
        List<Path> paths = new ArrayList<>();
        paths.add(code);
        Path lib = code.resolve("lib");
        if (Files.isDirectory(code) && Files.isDirectory(lib)) {
            try (Stream<Path> jars = Files.list(lib)) {
                jars.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(paths::add);
            }
        }
        return paths;
    }

    private static URL[] urls(List<Path> paths) {
        return paths.stream().map(path -> {
            try {
                return path.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }).toArray(URL[]::new);
    }
}
