package dev.skyloom.local.sfn.asl;

import com.fasterxml.jackson.databind.JsonNode;
import dev.skyloom.local.sfn.expr.JsonPathExpr;
import dev.skyloom.local.sfn.expr.JsonataTemplate;
import dev.skyloom.local.sfn.expr.PayloadTemplate;
import java.util.List;

/**
 * A compiled state. Fields common to all types live here (absent ones are null); each subclass adds its own.
 * Path fields follow ASL defaults: a null path with its {@code *Null} flag false means "$".
 */
public abstract sealed class State permits State.Pass, State.Task, State.Choice, State.Wait, State.Succeed,
        State.Fail, State.Parallel, State.Map {

    /** The Type field values, with the prefix of their history event types. */
    public enum Type {
        PASS("Pass"), TASK("Task"), CHOICE("Choice"), WAIT("Wait"), SUCCEED("Succeed"), FAIL("Fail"),
        PARALLEL("Parallel"), MAP("Map");

        private final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    public String name;
    public QueryLanguage queryLanguage;
    public String next;
    /** The state {@code next} names, resolved once the scope is parsed. */
    public State nextState;
    public boolean end;
    public JsonPathExpr inputPath;
    public boolean inputPathNull;
    public JsonPathExpr outputPath;
    public boolean outputPathNull;
    public JsonPathExpr resultPath;
    public boolean resultPathNull;
    public PayloadTemplate parameters;
    public PayloadTemplate resultSelector;
    public PayloadTemplate assignPath;
    public JsonataTemplate assignJsonata;
    public JsonataTemplate output;
    public JsonataTemplate arguments;
    public List<Retrier> retry = List.of();
    public List<Catcher> catchers = List.of();

    public abstract Type type();

    /** History event type names, computed once: e.g. PassStateEntered / PassStateExited. */
    public final String enteredEventType() {
        String t = enteredType;
        if (t == null) {
            t = (type().wire() + "StateEntered").intern();
            enteredType = t;
        }
        return t;
    }

    public final String exitedEventType() {
        String t = exitedType;
        if (t == null) {
            t = (type().wire() + "StateExited").intern();
            exitedType = t;
        }
        return t;
    }

    private String enteredType;
    private String exitedType;

    public boolean isJsonata() {
        return queryLanguage == QueryLanguage.JSONATA;
    }

    public static final class Pass extends State {
        public JsonNode result;

        @Override
        public Type type() {
            return Type.PASS;
        }
    }

    public static final class Task extends State {
        public String resource;
        public Integer timeoutSeconds;
        public JsonPathExpr timeoutSecondsPath;
        public JsonataTemplate timeoutJsonata;
        public Integer heartbeatSeconds;
        public JsonPathExpr heartbeatSecondsPath;
        public JsonataTemplate heartbeatJsonata;
        public JsonNode credentials;

        @Override
        public Type type() {
            return Type.TASK;
        }
    }

    public static final class Choice extends State {
        public List<ChoiceRule.Branch> choices;
        public String defaultNext;

        @Override
        public Type type() {
            return Type.CHOICE;
        }
    }

    public static final class Wait extends State {
        public Long seconds;
        public JsonPathExpr secondsPath;
        public String timestamp;
        public JsonPathExpr timestampPath;
        public JsonataTemplate secondsJsonata;
        public JsonataTemplate timestampJsonata;

        @Override
        public Type type() {
            return Type.WAIT;
        }
    }

    public static final class Succeed extends State {
        @Override
        public Type type() {
            return Type.SUCCEED;
        }
    }

    public static final class Fail extends State {
        public String error;
        public String cause;
        public PayloadTemplate errorPath;
        public PayloadTemplate causePath;
        public JsonataTemplate errorJsonata;
        public JsonataTemplate causeJsonata;

        @Override
        public Type type() {
            return Type.FAIL;
        }
    }

    public static final class Parallel extends State {
        public List<Scope> branches;

        @Override
        public Type type() {
            return Type.PARALLEL;
        }
    }

    public static final class Map extends State {
        public Scope processor;
        /** The processor's JSON (StartAt, States), the definition of a distributed Map's child executions. */
        public JsonNode processorJson;
        public boolean distributed;
        public boolean expressChildren;
        public JsonPathExpr itemsPath;
        public JsonataTemplate itemsJsonata;
        public PayloadTemplate itemSelector;
        public JsonataTemplate itemSelectorJsonata;
        public Integer maxConcurrency;
        public JsonPathExpr maxConcurrencyPath;
        public JsonataTemplate maxConcurrencyJsonata;
        public ItemReader itemReader;
        public ItemBatcher itemBatcher;
        public JsonNode resultWriter;
        public Double toleratedFailureCount;
        public JsonPathExpr toleratedFailureCountPath;
        public JsonataTemplate toleratedFailureCountJsonata;
        public Double toleratedFailurePercentage;
        public JsonPathExpr toleratedFailurePercentagePath;
        public JsonataTemplate toleratedFailurePercentageJsonata;
        public String label;

        @Override
        public Type type() {
            return Type.MAP;
        }
    }

    /** Map ItemReader: a resource, its (JSONPath or JSONata) parameters and the reader configuration. */
    public record ItemReader(String resource, PayloadTemplate parameters, JsonataTemplate arguments,
            JsonNode readerConfig) {
    }

    /** Map ItemBatcher. Null limits mean unlimited. */
    public record ItemBatcher(Integer maxItemsPerBatch, JsonPathExpr maxItemsPerBatchPath, Integer maxInputBytesPerBatch,
            JsonPathExpr maxInputBytesPerBatchPath, PayloadTemplate batchInput, JsonataTemplate batchInputJsonata,
            JsonataTemplate maxItemsJsonata) {
    }
}
