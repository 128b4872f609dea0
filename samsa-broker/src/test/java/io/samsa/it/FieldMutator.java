package io.samsa.it;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Message;

/**
 * Structure-aware mutation of a decoded request: walks kafka-clients' generated message objects by reflection, finds
 * every scalar field (through its {@code setX} method) and every list of numbers, and overwrites one with a hostile
 * value: negative and huge indexes and counts, null and empty strings, the names the broker keeps for itself, the
 * longest legal name and one character more. The re-encoded request is well-formed, so it reaches the handlers,
 * which byte flips mostly do not.
 */
final class FieldMutator {

    /** Hostile ints; none creates more than 100 partitions, so a run is not spent creating directories. */
    private static final int[] INTS = {0, -1, 1, -2, 2, 3, 7, 100, 10_001, 65_535, 200_000,
        Integer.MAX_VALUE, Integer.MIN_VALUE};
    private static final short[] SHORTS = {0, -1, 1, -2, 3, Short.MAX_VALUE, Short.MIN_VALUE};
    private static final long[] LONGS = {0, -1, 1, -2, 1234, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final String[] STRINGS = {null, "", "__cluster_metadata", "__consumer_offsets",
        "__transaction_state", "__cluster.metadata", ".", "..", "a/../../b", "orders", "compacted", "doomed",
        "l".repeat(249), "l".repeat(250), "ü", "new-topic", "meta.properties", ".lock", "orders-0",
        "x-0.00000000000000000000000000000000-delete"};

    /** Not fields: the links of kafka-clients' hash collections, and the records (mutated as bytes instead). */
    private static final java.util.Set<String> SKIPPED = java.util.Set.of("setNext", "setPrev", "setRecords");

    /** A place in the message that can be overwritten. */
    private record Slot(Object owner, Method setter, Class<?> type, List<Object> list, int index) {}

    private FieldMutator() {}

    /**
     * Overwrites one field, chosen by {@code choice}, with a hostile value chosen by {@code value}.
     *
     * @return what was changed, or null when the message has no field to change
     */
    static String mutate(Message message, int choice, int value, Random random) {
        List<Slot> slots = new ArrayList<>();
        collect(message, slots, 0);
        if (slots.isEmpty()) {
            return null;
        }
        Slot slot = slots.get(Math.floorMod(choice, slots.size()));
        Object newValue = hostile(slot.type(), value, random);
        try {
            if (slot.list() != null) {
                slot.list().set(slot.index(), newValue);
                return "list element " + slot.index() + " := " + newValue;
            }
            slot.setter().invoke(slot.owner(), newValue);
            return slot.owner().getClass().getSimpleName() + "." + slot.setter().getName() + "(" + describe(newValue)
                    + ")";
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        return text.length() > 40 ? text.substring(0, 20) + "...(" + text.length() + " chars)" : text;
    }

    private static Object hostile(Class<?> type, int value, Random random) {
        int pick = Math.floorMod(value, 64);
        if (type == int.class || type == Integer.class) {
            return pick < INTS.length ? INTS[pick] : random.nextInt();
        }
        if (type == short.class) {
            return pick < SHORTS.length ? SHORTS[pick] : (short) random.nextInt();
        }
        if (type == long.class) {
            return pick < LONGS.length ? LONGS[pick] : random.nextLong();
        }
        if (type == byte.class) {
            return (byte) (pick < 4 ? pick - 1 : random.nextInt());
        }
        if (type == boolean.class) {
            return (pick & 1) == 0;
        }
        if (type == Uuid.class) {
            return pick % 3 == 0 ? Uuid.ZERO_UUID : pick % 3 == 1 ? Uuid.randomUuid() : Uuid.METADATA_TOPIC_ID;
        }
        return pick < STRINGS.length ? STRINGS[pick] : "f" + random.nextInt(1000);
    }

    private static void collect(Object message, List<Slot> slots, int depth) {
        if (message == null || depth > 6) {
            return;
        }
        for (Method m : message.getClass().getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            if (m.getName().startsWith("set") && m.getParameterCount() == 1 && !SKIPPED.contains(m.getName())
                    && isScalar(m.getParameterTypes()[0])) {
                slots.add(new Slot(message, m, m.getParameterTypes()[0], null, 0));
            } else if (m.getParameterCount() == 0 && !m.getName().startsWith("set") && !m.getName().equals("duplicate")
                    && !m.getName().equals("unknownTaggedFields") && !m.getName().equals("getClass")) {
                if (Collection.class.isAssignableFrom(m.getReturnType())) {
                    descend(m, message, slots, depth);
                } else if (Message.class.isAssignableFrom(m.getReturnType())) {
                    try {
                        collect(m.invoke(message), slots, depth + 1);
                    } catch (ReflectiveOperationException e) {
                        // not a plain getter
                    }
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void descend(Method getter, Object message, List<Slot> slots, int depth) {
        Object value;
        try {
            value = getter.invoke(message);
        } catch (ReflectiveOperationException e) {
            return;
        }
        if (!(value instanceof Collection<?> items)) {
            return;
        }
        int i = 0;
        for (Object item : items) {
            if (item instanceof Message) {
                collect(item, slots, depth + 1);
            } else if ((item instanceof Integer || item instanceof String) && value instanceof List<?> list) {
                slots.add(new Slot(message, null, item.getClass(), (List<Object>) list, i));
            }
            i++;
        }
    }

    private static boolean isScalar(Class<?> type) {
        return type.isPrimitive() || type == String.class || type == Uuid.class;
    }
}
