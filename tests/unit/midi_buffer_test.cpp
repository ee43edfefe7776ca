// JACK MIDI port buffers: the rules of jack_midi_* (through the exported C API, on buffers laid
// out by ipc::midi) and the merge of several connections into one input.

#include <gtest/gtest.h>

#include <jack/midiport.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "ipc/midi_buffer.hpp"
#include "ipc/port_buffers.hpp"

using namespace bantam;
using namespace bantam::ipc;

namespace {

constexpr uint32_t kFrames = 256;

struct Buffer {
    std::unique_ptr<PortBuffer> storage = std::make_unique<PortBuffer>();
    Buffer() { midi::init(get(), kFrames); }
    void* get() const { return storage->samples; }
};

struct Received {
    uint32_t time;
    std::vector<unsigned char> bytes;
    bool operator==(const Received&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Received& event) {
    out << "{" << event.time << ":";
    for (unsigned char byte : event.bytes)
        out << " " << int(byte);
    return out << "}";
}

std::vector<Received> events_of(void* buffer) {
    std::vector<Received> out;
    uint32_t count = jack_midi_get_event_count(buffer);
    for (uint32_t i = 0; i < count; ++i) {
        jack_midi_event_t event;
        EXPECT_EQ(jack_midi_event_get(&event, buffer, i), 0);
        out.push_back(
            {event.time, std::vector<unsigned char>(event.buffer, event.buffer + event.size)});
    }
    return out;
}

int write(void* buffer, uint32_t time, std::vector<unsigned char> bytes) {
    return jack_midi_event_write(buffer, time, bytes.data(), bytes.size());
}

} // namespace

TEST(MidiBuffer, InitialisedBufferIsEmpty) {
    Buffer b;
    EXPECT_TRUE(midi::valid(b.get()));
    EXPECT_EQ(jack_midi_get_event_count(b.get()), 0u);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 0u);
    jack_midi_event_t event{};
    EXPECT_EQ(jack_midi_event_get(&event, b.get(), 0), -ENOBUFS);
    EXPECT_EQ(jack_midi_max_event_size(b.get()),
              midi::kBufferBytes - midi::kHeaderBytes - midi::kEventBytes);
}

TEST(MidiBuffer, WrittenEventsReadBackInOrderWithTheirBytes) {
    Buffer b;
    EXPECT_EQ(write(b.get(), 0, {0x90, 60, 64}), 0);
    EXPECT_EQ(write(b.get(), 10, {0xf8}), 0);
    EXPECT_EQ(write(b.get(), 10, {0x80, 60, 0}), 0); // equal times are allowed
    EXPECT_EQ(write(b.get(), 255, {0xf0, 1, 2, 3, 4, 5, 0xf7}), 0);
    std::vector<Received> expected = {
        {0, {0x90, 60, 64}}, {10, {0xf8}}, {10, {0x80, 60, 0}}, {255, {0xf0, 1, 2, 3, 4, 5, 0xf7}}};
    EXPECT_EQ(events_of(b.get()), expected);
}

TEST(MidiBuffer, OutOfOrderTimesAreRejectedAndNotCountedLost) {
    Buffer b;
    ASSERT_EQ(write(b.get(), 100, {0x90, 60, 64}), 0);
    EXPECT_EQ(write(b.get(), 99, {0x80, 60, 0}), -EINVAL);
    EXPECT_EQ(jack_midi_event_reserve(b.get(), 50, 3), nullptr);
    EXPECT_EQ(jack_midi_get_event_count(b.get()), 1u);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 0u);
    EXPECT_EQ(write(b.get(), 100, {0x80, 60, 0}), 0);
}

TEST(MidiBuffer, TimesAtOrAfterThePeriodAreRejected) {
    Buffer b;
    EXPECT_EQ(write(b.get(), kFrames, {0x90, 60, 64}), -EINVAL);
    EXPECT_EQ(write(b.get(), 0xffffffffu, {0x90, 60, 64}), -EINVAL);
    EXPECT_EQ(jack_midi_event_reserve(b.get(), kFrames, 3), nullptr);
    EXPECT_EQ(jack_midi_get_event_count(b.get()), 0u);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 0u);
    EXPECT_EQ(write(b.get(), kFrames - 1, {0x90, 60, 64}), 0);
}

TEST(MidiBuffer, FullBufferReportsEnobufsAndCountsLostEvents) {
    Buffer b;
    // Small events take one record each: exactly kMaxEvents fit.
    uint32_t written = 0;
    while (write(b.get(), 7, {0x90, uint8_t(written % 128), 1}) == 0)
        ++written;
    EXPECT_EQ(written, midi::kMaxEvents);
    EXPECT_EQ(jack_midi_max_event_size(b.get()), 0u);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 1u); // the write that failed
    EXPECT_EQ(write(b.get(), 7, {0xf8}), -ENOBUFS);
    EXPECT_EQ(jack_midi_event_reserve(b.get(), 8, 1), nullptr);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 3u);
    EXPECT_EQ(jack_midi_get_event_count(b.get()), midi::kMaxEvents);
    // Out-of-order or late events are errors, not losses, even when full.
    EXPECT_EQ(write(b.get(), 0, {0xf8}), -EINVAL);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 3u);
}

TEST(MidiBuffer, LargestSysexThatFitsIsStoredAndOneByteMoreIsNot) {
    Buffer b;
    ASSERT_EQ(write(b.get(), 0, {0x90, 60, 64}), 0);
    size_t room = jack_midi_max_event_size(b.get());
    EXPECT_EQ(room, midi::kBufferBytes - midi::kHeaderBytes - 2 * midi::kEventBytes);
    std::vector<unsigned char> too_big(room + 1, 0x11);
    EXPECT_EQ(jack_midi_event_write(b.get(), 1, too_big.data(), too_big.size()), -ENOBUFS);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 1u);

    std::vector<unsigned char> sysex(room);
    sysex.front() = 0xf0;
    sysex.back() = 0xf7;
    for (size_t i = 1; i + 1 < sysex.size(); ++i)
        sysex[i] = uint8_t(i * 7 % 128);
    ASSERT_EQ(jack_midi_event_write(b.get(), 1, sysex.data(), sysex.size()), 0);
    auto events = events_of(b.get());
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0], (Received{0, {0x90, 60, 64}}));
    EXPECT_EQ(events[1].time, 1u);
    EXPECT_EQ(events[1].bytes, sysex);
    // No room for another record: not even an inline event fits.
    EXPECT_EQ(jack_midi_max_event_size(b.get()), 0u);
    EXPECT_EQ(write(b.get(), 2, {0xf8}), -ENOBUFS);
}

TEST(MidiBuffer, MaxEventSizeIsAtLeastTheInlineSizeWhileARecordFits) {
    Buffer b;
    // Leave exactly one record and 2 bytes of data free.
    size_t fill = midi::kBufferBytes - midi::kHeaderBytes - 2 * midi::kEventBytes - 2;
    std::vector<unsigned char> big(fill, 0x22);
    ASSERT_EQ(jack_midi_event_write(b.get(), 0, big.data(), big.size()), 0);
    EXPECT_EQ(jack_midi_max_event_size(b.get()), midi::kInlineMax);
    EXPECT_EQ(write(b.get(), 0, {1, 2, 3, 4}), 0); // inline: needs no data space
    EXPECT_EQ(jack_midi_max_event_size(b.get()), 0u);
}

TEST(MidiBuffer, ReserveAndWriteMix) {
    Buffer b;
    jack_midi_data_t* note = jack_midi_event_reserve(b.get(), 3, 3);
    ASSERT_NE(note, nullptr);
    note[0] = 0x90, note[1] = 61, note[2] = 100;
    ASSERT_EQ(write(b.get(), 3, {0xb0, 7, 90}), 0);
    jack_midi_data_t* sysex = jack_midi_event_reserve(b.get(), 20, 6);
    ASSERT_NE(sysex, nullptr);
    const unsigned char bytes[6] = {0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7};
    std::memcpy(sysex, bytes, 6);
    ASSERT_EQ(write(b.get(), 21, {0x80, 61, 0}), 0);
    jack_midi_data_t* empty = jack_midi_event_reserve(b.get(), 21, 0); // JACK allows size 0
    EXPECT_NE(empty, nullptr);
    std::vector<Received> expected = {{3, {0x90, 61, 100}},
                                      {3, {0xb0, 7, 90}},
                                      {20, {0xf0, 0x7e, 0x7f, 0x06, 0x01, 0xf7}},
                                      {21, {0x80, 61, 0}},
                                      {21, {}}};
    EXPECT_EQ(events_of(b.get()), expected);
}

TEST(MidiBuffer, ClearKeepsThePeriodAndResetUsesTheMaximum) {
    Buffer b;
    ASSERT_EQ(write(b.get(), 5, {0x90, 60, 64}), 0);
    ASSERT_EQ(write(b.get(), 300, {0x90, 60, 64}), -EINVAL);
    std::vector<unsigned char> huge(midi::kBufferBytes, 0);
    ASSERT_EQ(jack_midi_event_write(b.get(), 6, huge.data(), huge.size()), -ENOBUFS);
    ASSERT_EQ(jack_midi_get_lost_event_count(b.get()), 1u);

    jack_midi_clear_buffer(b.get());
    EXPECT_EQ(jack_midi_get_event_count(b.get()), 0u);
    EXPECT_EQ(jack_midi_get_lost_event_count(b.get()), 0u);
    EXPECT_EQ(midi::nframes(b.get()), kFrames);
    EXPECT_EQ(write(b.get(), kFrames, {0x90, 60, 64}), -EINVAL);
    EXPECT_EQ(write(b.get(), 0, {0x90, 60, 64}), 0); // earlier than before clearing: fine

    jack_midi_reset_buffer(b.get()); // deprecated: periods of the maximum size
    EXPECT_EQ(jack_midi_get_event_count(b.get()), 0u);
    EXPECT_EQ(write(b.get(), kMaxBufferFrames - 1, {0x90, 60, 64}), 0);
    EXPECT_EQ(write(b.get(), kMaxBufferFrames, {0x90, 60, 64}), -EINVAL);
}

TEST(MidiBuffer, NonMidiBuffersAreRejectedEverywhere) {
    auto zeroed = std::make_unique<PortBuffer>();
    std::memset(zeroed->samples, 0, sizeof zeroed->samples);
    void* buffer = zeroed->samples;
    EXPECT_FALSE(midi::valid(buffer));
    EXPECT_EQ(jack_midi_get_event_count(buffer), 0u);
    EXPECT_EQ(jack_midi_max_event_size(buffer), 0u);
    EXPECT_EQ(jack_midi_get_lost_event_count(buffer), 0u);
    jack_midi_event_t event{};
    EXPECT_EQ(jack_midi_event_get(&event, buffer, 0), -EINVAL);
    EXPECT_EQ(jack_midi_event_reserve(buffer, 0, 3), nullptr);
    EXPECT_EQ(write(buffer, 0, {0x90, 60, 64}), -EINVAL);
    jack_midi_clear_buffer(buffer); // does not make it a MIDI buffer
    EXPECT_FALSE(midi::valid(buffer));
    EXPECT_EQ(jack_midi_get_event_count(nullptr), 0u);
    EXPECT_EQ(jack_midi_event_reserve(nullptr, 0, 3), nullptr);
    EXPECT_EQ(jack_midi_event_write(nullptr, 0, nullptr, 0), -EINVAL);
    EXPECT_EQ(jack_midi_event_get(&event, nullptr, 0), -EINVAL);
}

TEST(MidiBuffer, CorruptHeadersAndRecordsNeverReadOutsideTheBuffer) {
    Buffer b;
    auto* header = static_cast<midi::Header*>(b.get());
    header->event_count = midi::kMaxEvents + 1;
    EXPECT_FALSE(midi::valid(b.get()));
    EXPECT_EQ(jack_midi_get_event_count(b.get()), 0u);
    header->event_count = 1;
    header->write_pos = midi::kBufferBytes;
    EXPECT_FALSE(midi::valid(b.get()));
    header->write_pos = 0;
    // A record whose out-of-line data would run past the end.
    auto* record = reinterpret_cast<midi::EventRecord*>(static_cast<unsigned char*>(b.get()) +
                                                        midi::kHeaderBytes);
    record->time = 0;
    record->size = 100;
    uint32_t offset = midi::kBufferBytes - 50;
    std::memcpy(record->payload, &offset, sizeof offset);
    ASSERT_TRUE(midi::valid(b.get()));
    jack_midi_event_t event{};
    EXPECT_EQ(jack_midi_event_get(&event, b.get(), 0), -EINVAL);
}

// ---- merging several connections into one input -----------------------------------------

namespace {

struct MidiMixing : ::testing::Test {
    std::unique_ptr<Snapshot> snapshot = std::make_unique<Snapshot>();
    std::unique_ptr<DataSegment> data = std::make_unique<DataSegment>();
    static constexpr uint64_t cycle = 7;
    static constexpr uint32_t input = 10;

    void SetUp() override {
        for (uint32_t p = 1; p <= 4; ++p) {
            snapshot->ports[p].owner = p;
            snapshot->ports[p].type = uint32_t(PortType::midi);
            midi::init(source(p), kFrames);
        }
        snapshot->ports[input].owner = 5;
        snapshot->ports[input].type = uint32_t(PortType::midi);
        // Stale audio in the input's own buffer must never read as events.
        for (float& sample : data->buffers[input].samples)
            sample = 0.5f;
    }
    // Sources in connection order.
    void wire(std::initializer_list<uint32_t> sources) {
        uint32_t slot = 0;
        for (uint32_t p : sources)
            snapshot->port_peers[slot++] = p;
        snapshot->set_peers(input, 0, slot);
    }
    void* source(uint32_t port) { return data->buffers[port].samples; }
    void* own() { return data->buffers[input].samples; }
    void* resolve() { return resolve_input_buffer(*snapshot, *data, input, kFrames, cycle); }
};

} // namespace

TEST_F(MidiMixing, UnconnectedInputIsAnEmptyMidiBuffer) {
    wire({});
    void* buffer = resolve();
    ASSERT_EQ(buffer, own());
    EXPECT_TRUE(midi::valid(buffer));
    EXPECT_EQ(midi::nframes(buffer), kFrames);
    EXPECT_EQ(jack_midi_get_event_count(buffer), 0u);
}

TEST_F(MidiMixing, TheSnapshotTypeOrTheCallersTypeSelectsMidi) {
    wire({});
    snapshot->ports[input].type = uint32_t(PortType::audio);
    // As audio, an unconnected input is zeros: not a MIDI buffer.
    EXPECT_FALSE(midi::valid(resolve()));
    // The client passes its port's own type (the snapshot may predate the port).
    void* buffer = resolve_input(*snapshot, *data, input, PortType::midi, kFrames, cycle);
    EXPECT_TRUE(midi::valid(buffer));
}

TEST_F(MidiMixing, SingleConnectionIsZeroCopy) {
    wire({2});
    ASSERT_EQ(write(source(2), 4, {0x90, 60, 64}), 0);
    EXPECT_EQ(resolve(), source(2));
}

TEST_F(MidiMixing, SingleSourceWithoutAHeaderReadsAsEmpty) {
    wire({2});
    std::memset(source(2), 0, sizeof(PortBuffer)); // registered, never asked for its buffer
    void* buffer = resolve();
    EXPECT_EQ(buffer, own());
    EXPECT_TRUE(midi::valid(buffer));
    EXPECT_EQ(jack_midi_get_event_count(buffer), 0u);
}

TEST_F(MidiMixing, SeveralSourcesMergeInTimeOrderStablyOnTies) {
    wire({3, 1, 2});
    ASSERT_EQ(write(source(3), 10, {0x90, 30, 1}), 0);
    ASSERT_EQ(write(source(3), 50, {0x80, 30, 2}), 0);
    ASSERT_EQ(write(source(3), 50, {0x90, 31, 3}), 0);
    ASSERT_EQ(write(source(1), 0, {0x90, 10, 4}), 0);
    ASSERT_EQ(write(source(1), 50, {0x80, 10, 5}), 0);
    ASSERT_EQ(write(source(1), 255, {0xf8}), 0);
    std::vector<unsigned char> sysex(300, 0x55);
    sysex.front() = 0xf0, sysex.back() = 0xf7;
    ASSERT_EQ(jack_midi_event_write(source(2), 10, sysex.data(), sysex.size()), 0);
    ASSERT_EQ(write(source(2), 50, {0x90, 20, 6}), 0);

    void* buffer = resolve();
    ASSERT_EQ(buffer, own());
    std::vector<Received> expected = {
        {0, {0x90, 10, 4}},
        {10, {0x90, 30, 1}}, // connection order on ties: port 3 was connected first
        {10, sysex},
        {50, {0x80, 30, 2}},
        {50, {0x90, 31, 3}}, // a source's own order is kept
        {50, {0x80, 10, 5}},
        {50, {0x90, 20, 6}},
        {255, {0xf8}},
    };
    EXPECT_EQ(events_of(buffer), expected);
    EXPECT_EQ(jack_midi_get_lost_event_count(buffer), 0u);
    EXPECT_EQ(midi::nframes(buffer), kFrames);
}

TEST_F(MidiMixing, MergingAgainStartsFromScratch) {
    wire({1, 2});
    ASSERT_EQ(write(source(1), 1, {0x90, 1, 1}), 0);
    ASSERT_EQ(write(source(2), 2, {0x90, 2, 2}), 0);
    ASSERT_EQ(jack_midi_get_event_count(resolve()), 2u);
    jack_midi_clear_buffer(source(1));
    jack_midi_clear_buffer(source(2));
    ASSERT_EQ(write(source(2), 0, {0x80, 2, 0}), 0);
    EXPECT_EQ(events_of(resolve()), (std::vector<Received>{{0, {0x80, 2, 0}}}));
}

TEST_F(MidiMixing, SkippedAndInvalidSourcesContributeNothing) {
    wire({1, 2, 3});
    ASSERT_EQ(write(source(1), 1, {0x90, 1, 1}), 0);
    ASSERT_EQ(write(source(2), 2, {0x90, 2, 2}), 0);
    ASSERT_EQ(write(source(3), 3, {0x90, 3, 3}), 0);
    data->activations[2].pending = pack_pending(cycle, Activation::kSkipped);
    std::memset(source(3), 0, midi::kHeaderBytes);
    // One live source left: zero-copy.
    EXPECT_EQ(resolve(), source(1));
    midi::init(source(3), kFrames);
    ASSERT_EQ(write(source(3), 0, {0x90, 3, 3}), 0);
    EXPECT_EQ(events_of(resolve()), (std::vector<Received>{{0, {0x90, 3, 3}}, {1, {0x90, 1, 1}}}));
}

TEST_F(MidiMixing, OverflowStopsTheMergeAndCountsEveryLostEvent) {
    wire({1, 2});
    // Source 1: a sysex filling most of the buffer; source 2: another big one and small events.
    size_t big = midi::kBufferBytes / 2;
    std::vector<unsigned char> a(big, 0x01), b(big, 0x02);
    ASSERT_EQ(jack_midi_event_write(source(1), 5, a.data(), a.size()), 0);
    ASSERT_EQ(write(source(2), 0, {0x90, 2, 2}), 0);
    ASSERT_EQ(jack_midi_event_write(source(2), 6, b.data(), b.size()), 0);
    ASSERT_EQ(write(source(2), 7, {0x80, 2, 0}), 0);
    ASSERT_EQ(write(source(2), 8, {0xf8}), 0);
    // Losses already counted at a source carry over.
    static_cast<midi::Header*>(source(1))->lost_events = 4;

    void* buffer = resolve();
    auto events = events_of(buffer);
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0], (Received{0, {0x90, 2, 2}}));
    EXPECT_EQ(events[1].time, 5u);
    EXPECT_EQ(events[1].bytes, a);
    // The second sysex does not fit: it and everything after it is lost (as JACK2).
    EXPECT_EQ(jack_midi_get_lost_event_count(buffer), 4u + 3u);
}

TEST_F(MidiMixing, ManySourcesMergeCorrectly) {
    // Every source writes at times i, i+4, i+8, ...: the merge interleaves them all.
    std::vector<uint32_t> ports;
    for (uint32_t p = 20; p < 60; ++p) {
        snapshot->ports[p].owner = 1;
        midi::init(source(p), kFrames);
        for (uint32_t t = p % 4; t < kFrames; t += 4)
            ASSERT_EQ(write(source(p), t, {0x90, uint8_t(p), uint8_t(t % 128)}), 0);
        snapshot->port_peers[p - 20] = p;
    }
    snapshot->set_peers(input, 0, 40);
    auto events = events_of(resolve());
    ASSERT_EQ(events.size(), 40u * kFrames / 4);
    for (size_t i = 1; i < events.size(); ++i) {
        const auto &prev = events[i - 1], &next = events[i];
        ASSERT_LE(prev.time, next.time) << "at " << i;
        if (prev.time == next.time) {
            ASSERT_LT(prev.bytes[1], next.bytes[1]) << "at " << i;
        }
    }
}
