package io.samsa.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.kafka.annotation.EnableKafka;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.ConcurrentKafkaListenerContainerFactory;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.SendResult;
import org.springframework.util.backoff.FixedBackOff;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Spring for Apache Kafka 3.3 (on kafka-clients 3.9, as Spring Boot 3.5 ships them), without Spring Boot: a plain
 * {@code @Configuration} with a {@link KafkaAdmin} that creates the topics, a {@link KafkaTemplate}, a
 * {@code @KafkaListener} and a {@link DefaultErrorHandler} that retries twice and then hands the record to a
 * {@link DeadLetterPublishingRecoverer}.
 */
class SpringKafkaIT {

    private static BrokerProcess broker;
    private static AnnotationConfigApplicationContext context;

    @BeforeAll
    static void start() {
        broker = BrokerProcess.start("spring-kafka");
        context = new AnnotationConfigApplicationContext();
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("test",
                Map.of("bootstrap.servers", broker.bootstrap())));
        context.register(OrdersConfig.class);
        context.refresh();
    }

    @AfterAll
    static void stop() throws Exception {
        if (context != null) {
            context.close();
        }
        broker.close();
    }

    @Test
    void listenerGetsEveryOrderAndTheFailingOneGoesToTheDeadLetterTopicAfterTwoRetries() throws Exception {
        @SuppressWarnings("unchecked")
        KafkaTemplate<String, String> template = context.getBean(KafkaTemplate.class);
        OrdersListener listener = context.getBean(OrdersListener.class);
        List<SendResult<String, String>> sent = new ArrayList<>();
        for (String order : List.of("order-1", "order-2", "poison-3", "order-4", "order-5")) {
            sent.add(template.send("orders", order.substring(order.indexOf('-') + 1), order).get());
        }
        assertThat(sent.stream().map(r -> r.getRecordMetadata().offset())).containsExactly(0L, 1L, 2L, 3L, 4L);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(listener.received).containsExactly(
                "order-1", "order-2", "poison-3", "poison-3", "poison-3", "order-4", "order-5"));

        List<ConsumerRecord<String, String>> dead = readAll("orders-dlt", 1);
        assertThat(dead).hasSize(1);
        ConsumerRecord<String, String> record = dead.get(0);
        assertThat(record.key()).isEqualTo("3");
        assertThat(record.value()).isEqualTo("poison-3");
        assertThat(record.partition()).isEqualTo(0);
        assertThat(text(record, "kafka_dlt-original-topic")).isEqualTo("orders");
        assertThat(ByteBuffer.wrap(bytes(record, "kafka_dlt-original-partition")).getInt()).isEqualTo(0);
        assertThat(ByteBuffer.wrap(bytes(record, "kafka_dlt-original-offset")).getLong()).isEqualTo(2L);
        assertThat(text(record, "kafka_dlt-original-consumer-group")).isEqualTo("spring-orders");
        assertThat(text(record, "kafka_dlt-exception-cause-fqcn")).isEqualTo(IllegalStateException.class.getName());
        assertThat(text(record, "kafka_dlt-exception-message")).endsWith("cannot process poison-3");

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (Admin admin = Admin.create(props)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(admin
                    .listConsumerGroupOffsets("spring-orders").partitionsToOffsetAndMetadata().get())
                    .containsOnlyKeys(new TopicPartition("orders", 0))
                    .extractingByKey(new TopicPartition("orders", 0)).extracting(o -> o.offset()).isEqualTo(5L));
            assertThat(admin.describeTopics(List.of("orders", "orders-dlt")).allTopicNames().get().values().stream()
                    .map(d -> d.name() + ":" + d.partitions().size())).containsExactlyInAnyOrder("orders:1",
                    "orders-dlt:1");
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, int count) {
        Map<String, Object> props = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).pollInSameThread().until(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
                return records.size() >= count;
            });
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return records;
        }
    }

    private static byte[] bytes(ConsumerRecord<?, ?> record, String header) {
        Header h = record.headers().lastHeader(header);
        assertThat(h).as("header %s", header).isNotNull();
        return h.value();
    }

    private static String text(ConsumerRecord<?, ?> record, String header) {
        return new String(bytes(record, header), StandardCharsets.UTF_8);
    }

    /** What a service would declare: topics, a template, a listener container factory with the error handler. */
    @Configuration
    @EnableKafka
    static class OrdersConfig {

        @Bean
        KafkaAdmin admin(@Value("${bootstrap.servers}") String bootstrap) {
            return new KafkaAdmin(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        }

        @Bean
        NewTopic orders() {
            return TopicBuilder.name("orders").partitions(1).replicas(1).build();
        }

        @Bean
        NewTopic ordersDeadLetters() {
            return TopicBuilder.name("orders-dlt").partitions(1).replicas(1).build();
        }

        @Bean
        ProducerFactory<String, String> producerFactory(@Value("${bootstrap.servers}") String bootstrap) {
            return new DefaultKafkaProducerFactory<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class));
        }

        @Bean
        KafkaTemplate<String, String> kafkaTemplate(ProducerFactory<String, String> producerFactory) {
            return new KafkaTemplate<>(producerFactory);
        }

        @Bean
        ConsumerFactory<String, String> consumerFactory(@Value("${bootstrap.servers}") String bootstrap) {
            return new DefaultKafkaConsumerFactory<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class));
        }

        @Bean
        ConcurrentKafkaListenerContainerFactory<String, String> kafkaListenerContainerFactory(
                ConsumerFactory<String, String> consumerFactory, KafkaTemplate<String, String> template) {
            ConcurrentKafkaListenerContainerFactory<String, String> factory =
                    new ConcurrentKafkaListenerContainerFactory<>();
            factory.setConsumerFactory(consumerFactory);
            factory.setCommonErrorHandler(new DefaultErrorHandler(new DeadLetterPublishingRecoverer(template),
                    new FixedBackOff(0L, 2L)));
            return factory;
        }

        @Bean
        OrdersListener ordersListener() {
            return new OrdersListener();
        }
    }

    static class OrdersListener {

        final List<String> received = Collections.synchronizedList(new ArrayList<>());

        @KafkaListener(id = "orders-listener", topics = "orders", groupId = "spring-orders")
        void onOrder(String order) {
            received.add(order);
            if (order.startsWith("poison")) {
                throw new IllegalStateException("cannot process " + order);
            }
        }
    }
}
