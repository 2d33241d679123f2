package org.crmsync.testing.sim;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Faults a test scripts for the next calls of a kind: an answer given instead of the CRM's (a 429, an
 * HTML page, JSON cut off, a reset connection), an outage (503 until cleared), or a call applied and
 * then its connection dropped before the answer. A simulator asks {@link #instead} before it handles a
 * request of that kind and {@link #dropAfter} when it has applied it.
 */
public final class ScriptedFaults {
    private final Map<String, Deque<ResponseDefinition>> answers = new HashMap<>();
    private final Set<String> down = new HashSet<>();
    private final Set<String> dropAfter = new HashSet<>();
    private final ResponseDefinitionBuilder outage;

    /** @param outage the CRM's own answer while it is down (its 503 body) */
    public ScriptedFaults(ResponseDefinitionBuilder outage) {
        this.outage = outage;
    }

    public synchronized void answerNext(String kind, int times, ResponseDefinitionBuilder answer) {
        Deque<ResponseDefinition> queue = answers.computeIfAbsent(kind, k -> new ArrayDeque<>());
        for (int i = 0; i < times; i++) {
            queue.add(answer.build());
        }
    }

    /** Every call of this kind answers the outage until {@link #clear()}. */
    public synchronized void down(String kind) {
        down.add(kind);
    }

    /** The next call of this kind is applied, then its connection is reset before the answer. */
    public synchronized void applyThenDropNext(String kind) {
        dropAfter.add(kind);
    }

    /** The answer to give instead of handling the call, if a fault is scripted for it. */
    public synchronized Optional<ResponseDefinition> instead(String kind) {
        Deque<ResponseDefinition> queue = answers.get(kind);
        if (queue != null && !queue.isEmpty()) {
            return Optional.of(queue.poll());
        }
        return down.contains(kind) ? Optional.of(outage.build()) : Optional.empty();
    }

    /** Whether the call just applied loses its answer; the reset to send instead is {@link #droppedConnection()}. */
    public synchronized boolean dropAfter(String kind) {
        return dropAfter.remove(kind);
    }

    public static ResponseDefinition droppedConnection() {
        return aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER).build();
    }

    /** Scripted answers and dropped connections no call has met yet. */
    public synchronized int pending() {
        return answers.values().stream().mapToInt(Deque::size).sum() + dropAfter.size();
    }

    public synchronized void clear() {
        answers.clear();
        down.clear();
        dropAfter.clear();
    }
}
