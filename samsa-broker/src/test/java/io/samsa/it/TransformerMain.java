package io.samsa.it;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A consume–transform–produce loop in its own JVM, for tests that kill it: reads {@code args[1]} as member of group
 * {@code args[3]} with read_committed, writes {@code "out-" + value} to the same partition of {@code args[2]} and
 * commits the input offsets in the same transaction (transactional.id {@code args[4]}), printing "committed N" after
 * each transaction. Once {@code args[5]} records are committed (never when negative), it writes one more transaction's
 * records, prints "hanging M" with their count and waits inside that transaction, for a kill to land there.
 */
public final class TransformerMain {

    private TransformerMain() {}

    public static void main(String[] args) throws InterruptedException {
        String bootstrap = args[0];
        long hangAfter = Long.parseLong(args[5]);
        Properties consumerProps = new Properties();
        consumerProps.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, args[3],
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "50",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "2000",
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "300",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()));
        Properties producerProps = new Properties();
        producerProps.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[4],
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, "10000",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps);
                KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            producer.initTransactions();
            consumer.subscribe(List.of(args[1]));
            long total = 0;
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> r : records) {
                    producer.send(new ProducerRecord<>(args[2], r.partition(), r.key(), "out-" + r.value()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                producer.flush();
                if (hangAfter >= 0 && total >= hangAfter) {
                    System.out.println("hanging " + records.count());
                    System.out.flush();
                    Thread.sleep(Long.MAX_VALUE);
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                total += records.count();
                System.out.println("committed " + total);
                System.out.flush();
            }
        }
    }
}
