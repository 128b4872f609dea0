package io.samsa.coordinator.group;

/**
 * The states of a classic group, with Kafka's names as DescribeGroups and ListGroups report them.
 *
 * <pre>
 *  EMPTY ──join──► PREPARING_REBALANCE ──all joined / rebalance timeout──► COMPLETING_REBALANCE ──leader sync──► STABLE
 *    ▲                   ▲    │ nobody left                                      │ join, leave, expiry             │
 *    └───────────────────┼────┘                                                  ▼                                 │
 *                        └──────────────────── join, leave, session expiry ◄─────┴─────────────────────────────────┘
 *  EMPTY ──delete──► DEAD
 * </pre>
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name Kafka reports. */
    public String kafkaName() {
        return kafkaName;
    }
}
