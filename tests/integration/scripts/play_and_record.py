"""A JACK client in Debian's python3-jack-client that plays a float32 WAV file into some ports and
records others into a float32 WAV file, in the same cycles, so that a program between them is
heard sample by sample on any server. Starts silent and waits for a line on stdin (the ports it
feeds must be ready), plays the file once, then silence until it has recorded `seconds`; prints
"done" and exits.

    play_and_record.py PLAY.wav DEST1,DEST2 SOURCE1,SOURCE2 SECONDS OUT.wav
"""

import struct
import sys
import threading

import jack


def read_float_wav(path):
    data = open(path, "rb").read()
    channels = struct.unpack_from("<H", data, 22)[0]
    offset = data.index(b"data") + 8
    return channels, data[offset:]


def write_float_wav(path, rate, channels):
    frames = len(channels[0]) // 4
    interleaved = bytearray()
    for i in range(frames):
        for ch in channels:
            interleaved += ch[4 * i:4 * i + 4]
    header = b"RIFF" + struct.pack("<I", 36 + len(interleaved)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 3, len(channels), rate, rate * 4 * len(channels),
                                   4 * len(channels), 32)
    header += b"data" + struct.pack("<I", len(interleaved))
    with open(path, "wb") as f:
        f.write(header + interleaved)


play_path, destinations, sources, seconds, out_path = sys.argv[1:6]
destinations, sources = destinations.split(","), sources.split(",")
count, interleaved = read_float_wav(play_path)
assert count == len(destinations)
# One contiguous byte string per channel, so that a cycle copies slices.
play = [b"".join(interleaved[4 * (i * count + c):4 * (i * count + c) + 4]
                 for i in range(len(interleaved) // (4 * count))) for c in range(count)]

client = jack.Client("play_and_record", no_start_server=True)
outs = [client.outports.register("out_%d" % (i + 1)) for i in range(len(destinations))]
ins = [client.inports.register("in_%d" % (i + 1)) for i in range(len(sources))]
total = int(float(seconds) * client.samplerate)
recorded = [bytearray(4 * total) for _ in sources]
state = {"playing": False, "played": 0, "recorded": 0}
finished = threading.Event()


@client.set_process_callback
def process(frames):
    width = 4 * frames
    for port, channel in zip(outs, play):
        buffer = port.get_buffer()
        if state["playing"]:
            chunk = channel[4 * state["played"]:4 * state["played"] + width]
            buffer[:len(chunk)] = chunk
            buffer[len(chunk):width] = bytes(width - len(chunk))
        else:
            buffer[:width] = bytes(width)
    if state["playing"]:
        state["played"] += frames
        at = state["recorded"]
        n = min(frames, total - at)
        for port, store in zip(ins, recorded):
            store[4 * at:4 * (at + n)] = port.get_buffer()[:4 * n]
        state["recorded"] += n
        if state["recorded"] >= total:
            state["playing"] = False
            finished.set()


client.activate()
for port, destination in zip(outs, destinations):
    client.connect(port, destination)
for port, source in zip(ins, sources):
    client.connect(source, port)
print("ready", flush=True)
sys.stdin.readline()
state["playing"] = True
assert finished.wait(float(seconds) + 20), "recording never finished"
client.deactivate()
client.close()
write_float_wav(out_path, int(client.samplerate), recorded)
print("done", flush=True)
