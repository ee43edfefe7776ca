/* Benchmark observer: counts xruns and samples the server's DSP load, without taking part in
 * cycles (no process callback), so it costs the graph nothing.
 *   monitor
 * Prints "ready" once active. On SIGUSR1 it starts the measured window and prints
 * "mark FRAME_TIME"; on SIGINT it prints
 * "end FRAME_TIME XRUNS LOAD_MEAN LOAD_MAX" for the window. */
#include <jack/jack.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t marked, stop;
static volatile long xruns;

static int on_xrun(void* arg) {
    (void)arg;
    if (marked) ++xruns;
    return 0;
}

static void on_mark(int sig) {
    (void)sig;
    marked = 1;
}

static void on_stop(int sig) {
    (void)sig;
    stop = 1;
}

int main(void) {
    jack_client_t* client = jack_client_open("benchmon", JackNoStartServer, NULL);
    if (!client) return 1;
    jack_set_xrun_callback(client, on_xrun, NULL);
    signal(SIGUSR1, on_mark);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    if (jack_activate(client)) return 1;
    printf("ready\n");
    fflush(stdout);
    int printed_mark = 0;
    double load_sum = 0, load_max = 0;
    long samples = 0;
    while (!stop) {
        usleep(50000);
        if (!marked) continue;
        if (!printed_mark) {
            printf("mark %u\n", jack_frame_time(client));
            fflush(stdout);
            printed_mark = 1;
            continue;
        }
        double load = jack_cpu_load(client);
        load_sum += load;
        if (load > load_max) load_max = load;
        ++samples;
    }
    printf("end %u %ld %.2f %.2f\n", jack_frame_time(client), xruns, samples ? load_sum / samples : 0.0,
           load_max);
    fflush(stdout);
    jack_deactivate(client);
    jack_client_close(client);
    return 0;
}
