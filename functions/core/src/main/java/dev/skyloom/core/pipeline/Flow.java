package dev.skyloom.core.pipeline;

import dev.skyloom.core.pipeline.PipelineIr.Action;
import dev.skyloom.core.pipeline.PipelineIr.Step;
import dev.skyloom.core.pipeline.PipelineIr.StepType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The control flow between top-level steps: where each step goes next by default ({@code onComplete}, else the next
 * step, else the end), and where each {@code onResult} value goes. Shared by the checks (reachability, exits,
 * "has always run before") and the ASL writer, so both see the same graph.
 */
final class Flow {
    static final String END = "";
    /** The result values a gate answers. */
    static final List<String> GATE_RESULTS = List.of("PASS", "FAIL");
    /** The result values an approval answers. */
    static final List<String> APPROVAL_RESULTS = List.of("APPROVED", "REJECTED");

    private final List<Step> steps;
    private final Map<String, Integer> index = new HashMap<>();

    Flow(List<Step> steps) {
        this.steps = steps;
        for (int i = 0; i < steps.size(); i++) {
            index.putIfAbsent(steps.get(i).id(), i);
        }
    }

    List<Step> steps() {
        return steps;
    }

    boolean has(String id) {
        return index.containsKey(id);
    }

    int indexOf(String id) {
        return index.getOrDefault(id, -1);
    }

    String first() {
        return steps.isEmpty() ? END : steps.getFirst().id();
    }

    /** Where the step goes when no {@code onResult} value matches: {@code onComplete}, the next step, or the end. */
    String defaultNext(Step step) {
        if (step.onComplete() != null) {
            return step.onComplete();
        }
        int i = indexOf(step.id());
        return i + 1 < steps.size() ? steps.get(i + 1).id() : END;
    }

    /** The values a step can answer, when they are known ({@code null} for agents, whose results are free). */
    static List<String> knownResults(Step step) {
        return switch (step.type()) {
            case GATE -> GATE_RESULTS;
            case APPROVAL -> APPROVAL_RESULTS;
            default -> null;
        };
    }

    /**
     * The implicit failure of a step when its onResult does not say: a gate's FAIL and an approval's REJECTED fail
     * the run.
     */
    static String implicitFailure(Step step) {
        return switch (step.type()) {
            case GATE -> "FAIL";
            case APPROVAL -> "REJECTED";
            default -> null;
        };
    }

    /** Does the default transition ever happen? Not when every value a gate or approval can answer is handled. */
    boolean defaultTaken(Step step) {
        List<String> known = knownResults(step);
        if (known == null) {
            return true;
        }
        Set<String> handled = new LinkedHashSet<>(step.actions().keySet());
        String implicit = implicitFailure(step);
        if (implicit != null) {
            handled.add(implicit);
        }
        return !handled.containsAll(known);
    }

    /** Whether a jump from {@code from} to {@code to} goes back (to itself or an earlier step): counted and bounded. */
    boolean backward(Step from, String to) {
        int target = indexOf(to);
        return target >= 0 && target <= indexOf(from.id());
    }

    /** The steps (or {@link #END}) a step may go to, in a stable order. */
    List<String> successors(Step step) {
        Set<String> next = new LinkedHashSet<>();
        for (Action action : step.actions().values()) {
            if (action.gotoStep() != null) {
                next.add(action.gotoStep());
            } else if (action.retry()) {
                next.add(step.id());
            } else if (action.message() != null) {
                next.add(defaultNext(step));
            }
        }
        if (defaultTaken(step)) {
            next.add(defaultNext(step));
        }
        return new ArrayList<>(next);
    }

    /** The graph, including edges to unknown steps (the checks report those). */
    Map<String, List<String>> graph() {
        Map<String, List<String>> graph = new LinkedHashMap<>();
        for (Step step : steps) {
            graph.putIfAbsent(step.id(), successors(step));
        }
        return graph;
    }

    /** Steps reachable from the first one. */
    Set<String> reachable() {
        Map<String, List<String>> graph = graph();
        Set<String> seen = new LinkedHashSet<>();
        List<String> work = new ArrayList<>(List.of(first()));
        while (!work.isEmpty()) {
            String id = work.removeLast();
            if (graph.containsKey(id) && seen.add(id)) {
                work.addAll(graph.get(id));
            }
        }
        return seen;
    }

    /** Steps from which the end can be reached. */
    Set<String> canFinish() {
        Map<String, List<String>> graph = graph();
        Set<String> done = new LinkedHashSet<>();
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Map.Entry<String, List<String>> e : graph.entrySet()) {
                if (!done.contains(e.getKey()) && e.getValue().stream().anyMatch(n -> n.equals(END)
                        || done.contains(n))) {
                    done.add(e.getKey());
                    changed = true;
                }
            }
        }
        return done;
    }

    /** For every reachable step, the steps that have run before it on every path from the first step. */
    Map<String, Set<String>> alwaysBefore() {
        Map<String, List<String>> graph = graph();
        Set<String> reachable = reachable();
        Map<String, Set<String>> preds = new HashMap<>();
        for (String id : reachable) {
            for (String n : graph.get(id)) {
                preds.computeIfAbsent(n, k -> new LinkedHashSet<>()).add(id);
            }
        }
        Map<String, Set<String>> dom = new LinkedHashMap<>();
        for (String id : reachable) {
            dom.put(id, id.equals(first()) ? new LinkedHashSet<>(Set.of(id)) : new LinkedHashSet<>(reachable));
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (String id : reachable) {
                if (id.equals(first())) {
                    continue;
                }
                Set<String> meet = null;
                for (String p : preds.getOrDefault(id, Set.of())) {
                    if (!reachable.contains(p)) {
                        continue;
                    }
                    if (meet == null) {
                        meet = new LinkedHashSet<>(dom.get(p));
                    } else {
                        meet.retainAll(dom.get(p));
                    }
                }
                Set<String> next = meet == null ? new LinkedHashSet<>() : meet;
                next.add(id);
                if (!next.equals(dom.get(id))) {
                    dom.put(id, next);
                    changed = true;
                }
            }
        }
        Map<String, Set<String>> before = new LinkedHashMap<>();
        dom.forEach((id, ds) -> {
            Set<String> b = new LinkedHashSet<>(ds);
            b.remove(id);
            before.put(id, b);
        });
        return before;
    }

    /** Steps that some onResult action or goto sends back to (their input gets {@code [RETRY n/max]} feedback). */
    Set<String> retryTargets() {
        Set<String> targets = new LinkedHashSet<>();
        for (Step step : steps) {
            for (Action action : step.actions().values()) {
                if (action.retry()) {
                    targets.add(step.id());
                } else if (action.gotoStep() != null && backward(step, action.gotoStep())) {
                    targets.add(action.gotoStep());
                }
            }
            if (step.onComplete() != null && backward(step, step.onComplete())) {
                targets.add(step.onComplete());
            }
        }
        return targets;
    }
}
