/* WAV files for the test device: the capture source is read whole; the playback sink holds the
 * device's own samples (S24_LE is stored as 24-bit PCM, every other format as itself). */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_pcm.h"

static uint32_t le16(const unsigned char* p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t le32(const unsigned char* p) {
    return le16(p) | le16(p + 2) << 16;
}

static double decode_wav_sample(const unsigned char* p, unsigned tag, unsigned bits) {
    if (tag == 3) {
        float value;
        memcpy(&value, p, sizeof value);
        return value;
    }
    if (bits == 16) return (int16_t)le16(p) / 32768.0;
    if (bits == 24) return (int32_t)(le16(p) << 8 | (uint32_t)p[2] << 24) / 2147483648.0;
    return (int32_t)le32(p) / 2147483648.0;
}

static int read_file(const char* path, unsigned char** blob, size_t* size) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !(*blob = malloc((size_t)st.st_size + 1))) {
        close(fd);
        return -ENOMEM;
    }
    ssize_t got = read(fd, *blob, (size_t)st.st_size);
    close(fd);
    *size = got > 0 ? (size_t)got : 0;
    return 0;
}

int wav_source_load(struct wav_source* source, const char* path) {
    unsigned char* blob = NULL;
    size_t size = 0;
    int err = read_file(path, &blob, &size);
    if (err < 0) return err;
    unsigned tag = 0, channels = 0, bits = 0;
    const unsigned char* data = NULL;
    size_t data_size = 0;
    if (size < 12 || memcmp(blob, "RIFF", 4) || memcmp(blob + 8, "WAVE", 4)) goto bad;
    for (size_t pos = 12; pos + 8 <= size;) {
        size_t chunk = le32(blob + pos + 4);
        const unsigned char* body = blob + pos + 8;
        if (pos + 8 + chunk > size) chunk = size - pos - 8;
        if (!memcmp(blob + pos, "fmt ", 4) && chunk >= 16) {
            tag = le16(body);
            channels = le16(body + 2);
            bits = le16(body + 14);
            if (tag == 0xFFFE && chunk >= 26) tag = le16(body + 24);
        } else if (!memcmp(blob + pos, "data", 4)) {
            data = body;
            data_size = chunk;
        }
        pos += 8 + chunk + (chunk & 1);
    }
    if (!data || !channels ||
        !((tag == 1 && (bits == 16 || bits == 24 || bits == 32)) || (tag == 3 && bits == 32)))
        goto bad;
    source->channels = channels;
    source->frames = data_size / (channels * bits / 8);
    source->samples = malloc(source->frames * channels * sizeof(double) + 1);
    if (!source->samples) {
        free(blob);
        return -ENOMEM;
    }
    for (size_t i = 0; i < source->frames * channels; ++i)
        source->samples[i] = decode_wav_sample(data + i * (bits / 8), tag, bits);
    free(blob);
    return 0;
bad:
    SNDERR("bantamtest: %s is not a 16/24/32-bit PCM or 32-bit float WAV file", path);
    free(blob);
    return -EINVAL;
}

void wav_source_free(struct wav_source* source) {
    free(source->samples);
    memset(source, 0, sizeof *source);
}

static void put_le(unsigned char* p, uint32_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i)
        p[i] = (unsigned char)(value >> (8 * i));
}

int wav_sink_open(struct wav_sink* sink, const char* path, snd_pcm_format_t format,
                  unsigned channels, unsigned rate) {
    wav_sink_close(sink);
    sink->bytes_per_sample =
        format == SND_PCM_FORMAT_S24_LE ? 3 : (unsigned)snd_pcm_format_physical_width(format) / 8;
    sink->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (sink->fd < 0) return -errno;
    unsigned char header[44] = "RIFF....WAVEfmt ";
    unsigned block = channels * sink->bytes_per_sample;
    put_le(header + 16, 16, 4);
    put_le(header + 20, format == SND_PCM_FORMAT_FLOAT_LE ? 3 : 1, 2);
    put_le(header + 22, channels, 2);
    put_le(header + 24, rate, 4);
    put_le(header + 28, rate * block, 4);
    put_le(header + 32, block, 2);
    put_le(header + 34, 8 * sink->bytes_per_sample, 2);
    memcpy(header + 36, "data", 4);
    sink->data_bytes = 0;
    sink->pending = 0;
    if (write(sink->fd, header, sizeof header) != (ssize_t)sizeof header) return -EIO;
    wav_sink_flush(sink);
    return 0;
}

static void write_pending(struct wav_sink* sink) {
    if (sink->pending && write(sink->fd, sink->buffer, sink->pending) == (ssize_t)sink->pending)
        sink->data_bytes += sink->pending;
    sink->pending = 0;
}

void wav_sink_put(struct wav_sink* sink, const unsigned char* sample) {
    if (sink->fd < 0) return;
    if (sink->pending + sink->bytes_per_sample > sizeof sink->buffer) write_pending(sink);
    memcpy(sink->buffer + sink->pending, sample, sink->bytes_per_sample);
    sink->pending += sink->bytes_per_sample;
}

void wav_sink_flush(struct wav_sink* sink) {
    if (sink->fd < 0) return;
    write_pending(sink);
    unsigned char size[4];
    put_le(size, (uint32_t)(36 + sink->data_bytes), 4);
    if (pwrite(sink->fd, size, 4, 4) != 4) return;
    put_le(size, (uint32_t)sink->data_bytes, 4);
    if (pwrite(sink->fd, size, 4, 40) != 4) return;
}

void wav_sink_close(struct wav_sink* sink) {
    if (sink->fd >= 0) {
        wav_sink_flush(sink);
        close(sink->fd);
    }
    sink->fd = -1;
}

static int64_t scaled(double value, int bits) {
    double full = ldexp(1.0, bits - 1);
    double v = nearbyint(value * full);
    if (!(v == v)) return 0;
    if (v > full - 1) return (int64_t)(full - 1);
    if (v < -full) return (int64_t)-full;
    return (int64_t)v;
}

void encode_sample(snd_pcm_format_t format, double value, unsigned char* out) {
    switch (format) {
    case SND_PCM_FORMAT_FLOAT_LE: {
        float f = (float)value;
        memcpy(out, &f, sizeof f);
        break;
    }
    case SND_PCM_FORMAT_S16_LE:
        put_le(out, (uint32_t)scaled(value, 16), 2);
        break;
    case SND_PCM_FORMAT_S24_3LE:
        put_le(out, (uint32_t)scaled(value, 24), 3);
        break;
    case SND_PCM_FORMAT_S24_LE:
        put_le(out, (uint32_t)scaled(value, 24), 4); /* sign-extended into the top byte */
        break;
    default:
        put_le(out, (uint32_t)scaled(value, 32), 4);
        break;
    }
}
