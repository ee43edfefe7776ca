"""The Bantam ALSA test device, for integration tests: a private ALSA configuration naming the
test plugin (libasound_module_pcm_bantamtest.so in the build tree) and the PCMs a test defines,
plus WAV helpers for every sample format the device takes.

alsa-lib reads the files in ALSA_CONFIG_PATH (colon-separated) instead of
/usr/share/alsa/alsa.conf. Tests give it only their own file, so neither /etc/asound.conf nor
~/.asoundrc can interfere; `pcm_type.bantamtest { lib "/abs/path.so" }` tells alsa-lib where
the plugin is, so nothing is installed into the system's plugin directory.
"""

import os
import random
import struct

# Sample formats: (WAV format tag, bits per WAV sample, largest integer magnitude).
WAV_LAYOUT = {
    "S32_LE": (1, 32),
    "S24_3LE": (1, 24),
    "S24_LE": (1, 24),  # 24 bits in 4 bytes on the device, 24-bit PCM in the WAV
    "S16_LE": (1, 16),
    "FLOAT_LE": (3, 32),
}


def plugin_path(build_dir):
    return os.path.join(os.path.abspath(build_dir), "tests", "alsa", "libasound_module_pcm_bantamtest.so")


class TestCard:
    """Writes `<directory>/asound.conf` defining `pcm.NAME { type bantamtest ... }` for each
    add()ed device. Strings are quoted, numbers are not. A device named `hw` takes a card
    argument as ALSA's own does, so "hw:0" opens it (for the card reservation tests)."""

    def __init__(self, build_dir, directory):
        self.plugin = plugin_path(build_dir)
        assert os.path.exists(self.plugin), "the ALSA test device is not built: %s" % self.plugin
        self.directory = directory
        self.path = os.path.join(directory, "asound.conf")
        self.devices = {}

    def add(self, name, **fields):
        self.devices[name] = fields
        self.write()
        return name

    def file(self, name):
        return os.path.join(self.directory, name)

    def write(self):
        lines = ['pcm_type.bantamtest { lib "%s" }' % self.plugin]
        for name, fields in self.devices.items():
            body = " ".join("%s %s" % (key, '"%s"' % value if isinstance(value, str) else value)
                            for key, value in fields.items())
            args = '@args [ CARD ] @args.CARD { type string default "0" } ' if name == "hw" else ""
            lines.append("pcm.%s { %stype bantamtest %s }" % (name, args, body))
        with open(self.path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def env(self):
        return {"ALSA_CONFIG_PATH": self.path}

    def trigger(self, name, stream, what):
        """Makes device `name`'s `stream` ("playback"/"capture") xrun or suspend at its next period."""
        path = "%s.%s" % (self.devices[name]["trigger_file"], stream)
        with open(path + ".new", "w") as f:
            f.write(what)
        os.rename(path + ".new", path)  # the device must never see the file empty

    def status(self, name):
        """The device's status line as a dict (format, access, rate, period, ...)."""
        with open(self.devices[name]["status_file"]) as f:
            return dict(word.split("=", 1) for word in f.read().split())


def signal_for(format_name, frames, seed):
    """Random samples exactly representable in `format_name` and in float (never zero):
    integers for integer formats (S32 with 24 significant bits), floats for FLOAT_LE."""
    rng = random.Random(seed)
    tag, bits = WAV_LAYOUT[format_name]
    if tag == 3:
        values = [(rng.randint(-(1 << 23), (1 << 23) - 1) or 1) / float(1 << 23) for _ in range(frames)]
        return list(struct.unpack("<%df" % frames, struct.pack("<%df" % frames, *values)))
    significant = min(bits, 24)
    shift = bits - significant
    return [(rng.randint(-(1 << (significant - 1)), (1 << (significant - 1)) - 1) or 1) << shift
            for _ in range(frames)]


def write_wav(path, rate, channels, format_name):
    tag, bits = WAV_LAYOUT[format_name]
    count, width = len(channels), bits // 8
    frames = len(channels[0])
    data = bytearray()
    for i in range(frames):
        for channel in channels:
            data += struct.pack("<f", channel[i]) if tag == 3 else (channel[i] & ((1 << bits) - 1)).to_bytes(width, "little")
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, tag, count, rate, rate * count * width, count * width, bits)
    header += b"data" + struct.pack("<I", len(data))
    with open(path, "wb") as f:
        f.write(header + bytes(data))


def read_wav(path):
    """Returns (tag, bits, channels): integers for PCM, floats for IEEE float."""
    with open(path, "rb") as f:
        blob = f.read()
    assert blob[:4] == b"RIFF" and blob[8:12] == b"WAVE", "%s is not a WAV file" % path
    pos, fmt, data = 12, None, b""
    while pos + 8 <= len(blob):
        chunk, size = blob[pos:pos + 4], struct.unpack("<I", blob[pos + 4:pos + 8])[0]
        if chunk == b"fmt ":
            fmt = struct.unpack("<HHIIHH", blob[pos + 8:pos + 24])
        elif chunk == b"data":
            data = blob[pos + 8:pos + 8 + size]
        pos += 8 + size + (size & 1)
    tag, count, _, _, _, bits = fmt
    width = bits // 8
    frames = len(data) // (width * count)
    if tag == 3:
        values = struct.unpack("<%df" % (frames * count), data[:frames * count * 4])
    else:
        values = [int.from_bytes(data[i:i + width], "little", signed=True)
                  for i in range(0, frames * count * width, width)]
    return tag, bits, [list(values[c::count]) for c in range(count)]


def find_copy(output, source, minimum):
    """Where the first sound in `output` starts and where that stretch is in `source`: returns
    (output_index, source_index, length of the exact match). The match must be `minimum` long
    to count; raises AssertionError otherwise."""
    start = next((i for i, v in enumerate(output) if v != 0), None)
    assert start is not None, "the playback device heard only silence"
    probe = output[start:start + 16]
    for k in range(len(source) - len(probe) + 1):
        if source[k:k + len(probe)] == probe:
            length = 0
            while (start + length < len(output) and k + length < len(source)
                   and output[start + length] == source[k + length]):
                length += 1
            assert length >= minimum, "only %d frames match from output frame %d (source %d)" % (length, start, k)
            return start, k, length
    raise AssertionError("the sound at output frame %d is not in the captured signal" % start)
