/* The test device's configuration: the fields of its `pcm.NAME { type bantamtest ... }` block. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "test_pcm.h"

static int parse_string(snd_config_t* node, char** out) {
    const char* value;
    int err = snd_config_get_string(node, &value);
    if (err < 0) return err;
    free(*out);
    *out = strdup(value);
    return *out ? 0 : -ENOMEM;
}

static int parse_unsigned(snd_config_t* node, unsigned* out) {
    long value;
    int err = snd_config_get_integer(node, &value);
    if (err < 0) return err;
    if (value < 0) return -EINVAL;
    *out = (unsigned)value;
    return 0;
}

static int parse_frames(snd_config_t* node, long long* out) {
    long value;
    int err = snd_config_get_integer(node, &value);
    if (err < 0) return err;
    *out = value;
    return 0;
}

static int access_value(const char* name) {
    for (int access = 0; access <= SND_PCM_ACCESS_LAST; ++access) {
        const char* known = snd_pcm_access_name((snd_pcm_access_t)access);
        if (known && strcasecmp(known, name) == 0) return access;
    }
    return -1;
}

/* A space-separated list of rates, format names or access names. */
static int parse_list(snd_config_t* node, char kind, unsigned* values, unsigned* count) {
    const char* text;
    int err = snd_config_get_string(node, &text);
    if (err < 0) return err;
    char* copy = strdup(text);
    if (!copy) return -ENOMEM;
    char* state = NULL;
    *count = 0;
    for (char* word = strtok_r(copy, " ,", &state); word; word = strtok_r(NULL, " ,", &state)) {
        long value = kind == 'r'   ? strtol(word, NULL, 10)
                     : kind == 'f' ? (long)snd_pcm_format_value(word)
                                   : access_value(word);
        if (value < 0 || (kind == 'r' && value == 0)) {
            SNDERR("bantamtest: unknown value '%s'", word);
            free(copy);
            return -EINVAL;
        }
        if (*count == TEST_PCM_MAX_LIST) break;
        values[(*count)++] = (unsigned)value;
    }
    free(copy);
    return *count ? 0 : -EINVAL;
}

static void set_defaults(struct test_pcm_config* config) {
    static const unsigned formats[] = {SND_PCM_FORMAT_S32_LE, SND_PCM_FORMAT_S24_3LE,
                                       SND_PCM_FORMAT_S24_LE, SND_PCM_FORMAT_S16_LE,
                                       SND_PCM_FORMAT_FLOAT_LE};
    static const unsigned accesses[] = {
        SND_PCM_ACCESS_MMAP_INTERLEAVED, SND_PCM_ACCESS_MMAP_NONINTERLEAVED,
        SND_PCM_ACCESS_RW_INTERLEAVED, SND_PCM_ACCESS_RW_NONINTERLEAVED};
    memset(config, 0, sizeof *config);
    config->channels = 2;
    memcpy(config->formats, formats, sizeof formats);
    config->format_count = sizeof formats / sizeof formats[0];
    memcpy(config->accesses, accesses, sizeof accesses);
    config->access_count = sizeof accesses / sizeof accesses[0];
    config->period_bytes_min = 64;
    config->period_bytes_max = 1 << 20;
    config->periods_min = 2;
    config->periods_max = 64;
    config->xrun_after = -1;
    config->suspend_after = -1;
    config->can_resume = 1;
}

static int parse_field(const char* id, snd_config_t* node, struct test_pcm_config* config) {
    if (!strcmp(id, "capture_file")) return parse_string(node, &config->capture_file);
    if (!strcmp(id, "playback_file")) return parse_string(node, &config->playback_file);
    if (!strcmp(id, "status_file")) return parse_string(node, &config->status_file);
    if (!strcmp(id, "trigger_file")) return parse_string(node, &config->trigger_file);
    if (!strcmp(id, "channels")) return parse_unsigned(node, &config->channels);
    if (!strcmp(id, "rates")) return parse_list(node, 'r', config->rates, &config->rate_count);
    if (!strcmp(id, "formats"))
        return parse_list(node, 'f', config->formats, &config->format_count);
    if (!strcmp(id, "access"))
        return parse_list(node, 'a', config->accesses, &config->access_count);
    if (!strcmp(id, "ppm")) return snd_config_get_ireal(node, &config->ppm);
    if (!strcmp(id, "period_bytes_min")) return parse_unsigned(node, &config->period_bytes_min);
    if (!strcmp(id, "period_bytes_max")) return parse_unsigned(node, &config->period_bytes_max);
    if (!strcmp(id, "periods_min")) return parse_unsigned(node, &config->periods_min);
    if (!strcmp(id, "periods_max")) return parse_unsigned(node, &config->periods_max);
    if (!strcmp(id, "xrun_every")) return parse_unsigned(node, &config->xrun_every);
    if (!strcmp(id, "xrun_after")) return parse_frames(node, &config->xrun_after);
    if (!strcmp(id, "suspend_after")) return parse_frames(node, &config->suspend_after);
    if (!strcmp(id, "resume")) {
        int value = snd_config_get_bool(node);
        if (value < 0) return value;
        config->can_resume = value;
        return 0;
    }
    SNDERR("bantamtest: unknown field %s", id);
    return -EINVAL;
}

int test_pcm_parse_config(snd_config_t* conf, struct test_pcm_config* config) {
    set_defaults(config);
    snd_config_iterator_t i, next;
    snd_config_for_each(i, next, conf) {
        snd_config_t* node = snd_config_iterator_entry(i);
        const char* id;
        if (snd_config_get_id(node, &id) < 0) continue;
        if (!strcmp(id, "comment") || !strcmp(id, "type") || !strcmp(id, "hint")) continue;
        int err = parse_field(id, node, config);
        if (err < 0) {
            SNDERR("bantamtest: bad value for %s", id);
            test_pcm_free_config(config);
            return err;
        }
    }
    if (config->channels < 1 || config->periods_min < 1 ||
        config->period_bytes_min > config->period_bytes_max) {
        SNDERR("bantamtest: inconsistent configuration");
        test_pcm_free_config(config);
        return -EINVAL;
    }
    return 0;
}

void test_pcm_free_config(struct test_pcm_config* config) {
    free(config->capture_file);
    free(config->playback_file);
    free(config->status_file);
    free(config->trigger_file);
    config->capture_file = config->playback_file = NULL;
    config->status_file = config->trigger_file = NULL;
}
