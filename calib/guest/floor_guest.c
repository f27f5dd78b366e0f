/* SPDX-License-Identifier: BSD-3-Clause
 * The floor guest: the least a VM can run that lvperf can see. Booted by
 * PVH (entry.S), it finds the virtio-net device on QEMU microvm's
 * virtio-mmio transports, resolves the appliance by ARP, sends the boot
 * beacon (the "LVPB" seq payload of drivers/guest/beacon.c) every
 * millisecond, and answers ARP and ICMP echo for its own address. With
 * almost no guest, start command → first guest packet is the VMM's floor.
 *
 * Kernel command line (from hvm_start_info): ip=A.B.C.D dst=A.B.C.D
 * port=N khz=TSC-kHz. Serial (COM1): "lvp-floor" first, then one line on
 * the device found or the reason it stopped, then "lvp-guest-beacon
 * uptime=S" with the time from entry to the first beacon (as the Linux
 * guest's /init reports its uptime).
 *
 * virtio-mmio as QEMU 7.2 offers it by default: the legacy (version 1)
 * register layout, virtio spec 1.1 §4.2.4, with legacy split rings
 * (§2.6, 4096-byte alignment) and the 10-byte legacy virtio_net_hdr.
 * Freestanding: no libc, interrupts off, everything polled.
 */
#include <stddef.h>
#include <stdint.h>

/* Xen's struct hvm_start_info (xen/include/public/arch-x86/hvm/start_info.h) */
struct hvm_start_info {
	uint32_t magic; /* 0x336ec578 */
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

#define HVM_START_MAGIC 0x336ec578u

/* virtio-mmio legacy registers */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_HOST_FEATURES 0x010
#define VM_HOST_FEATURES_SEL 0x014
#define VM_GUEST_FEATURES 0x020
#define VM_GUEST_FEATURES_SEL 0x024
#define VM_GUEST_PAGE_SIZE 0x028
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_ALIGN 0x03c
#define VM_QUEUE_PFN 0x040
#define VM_QUEUE_NOTIFY 0x050
#define VM_STATUS 0x070
#define VM_CONFIG 0x100

#define VM_BASE 0xfeb00000ul /* QEMU microvm: VIRTIO_MMIO_BASE */
#define VM_SLOT 0x200ul
#define VM_SLOTS 32
#define VIRTIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC (1u << 5)

#define ST_ACK 1
#define ST_DRIVER 2
#define ST_DRIVER_OK 4

#define QN 16	       /* descriptors per queue */
#define BUF 2048
#define NET_HDR 10     /* legacy virtio_net_hdr without num_buffers */
#define VRING_DESC_F_WRITE 2
#define VRING_AVAIL_F_NO_INTERRUPT 1

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[QN];
};

struct vring_used {
	uint16_t flags;
	uint16_t idx;
	struct {
		uint32_t id;
		uint32_t len;
	} ring[QN];
};

/* Legacy layout for QN entries: descriptors, avail ring, then the used ring
 * at the next 4096-byte boundary (virtio 1.1 §2.6.2). */
struct vq_mem {
	struct vring_desc desc[QN];
	struct vring_avail avail;
	uint8_t pad[4096 - sizeof(struct vring_desc) * QN - sizeof(struct vring_avail)];
	struct vring_used used;
} __attribute__((aligned(4096)));

struct vq {
	volatile struct vq_mem *m;
	uint16_t last_used;
	uint16_t next_avail;
};

static struct vq_mem vq_mem[2];
static uint8_t rx_buf[QN][BUF] __attribute__((aligned(64)));
static uint8_t tx_buf[QN][BUF] __attribute__((aligned(64)));
static struct vq rxq, txq;
static uintptr_t mmio;

static uint32_t my_ip, dst_ip, tsc_khz = 2000000;
static uint16_t dst_port = 1337;
static uint8_t my_mac[6] = { 0x52, 0x54, 0x00, 0x4c, 0x56, 0x50 };
static uint8_t dst_mac[6];
static int have_dst_mac;

void floor_main(uint32_t start_info);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/* The compiler may call these even freestanding. */
void *memset(void *d, int c, size_t n)
{
	uint8_t *p = d;

	while (n--)
		*p++ = (uint8_t)c;
	return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *p = d;
	const uint8_t *q = s;

	while (n--)
		*p++ = *q++;
	return d;
}

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void barrier(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

static void serial_putc(char c)
{
	for (int i = 0; i < 100000 && !(inb(0x3fd) & 0x20); i++)
		;
	outb(0x3f8, (uint8_t)c);
}

static void serial_puts(const char *s)
{
	while (*s)
		serial_putc(*s++);
}

static void serial_hex(uint64_t v)
{
	serial_puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		serial_putc("0123456789abcdef"[(v >> i) & 15]);
}

static void serial_dec(uint64_t v, int width)
{
	char d[20];
	int n = 0;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n < 20);
	while (n < width)
		d[n++] = '0';
	while (n)
		serial_putc(d[--n]);
}

static uint32_t rd32(uint32_t off)
{
	return *(volatile uint32_t *)(mmio + off);
}

static void wr32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(mmio + off) = v;
}

/* "10.252.0.2" → host-order address; 0 on error. */
static uint32_t parse_ip(const char *s)
{
	uint32_t ip = 0, part = 0;
	int dots = 0, digits = 0;

	for (; *s && *s != ' '; s++) {
		if (*s == '.') {
			if (!digits || part > 255)
				return 0;
			ip = ip << 8 | part;
			part = 0;
			digits = 0;
			dots++;
		} else if (*s >= '0' && *s <= '9') {
			part = part * 10 + (uint32_t)(*s - '0');
			digits++;
		} else {
			return 0;
		}
	}
	if (dots != 3 || !digits || part > 255)
		return 0;
	return ip << 8 | part;
}

static uint32_t parse_u32(const char *s)
{
	uint32_t v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint32_t)(*s - '0');
	return v;
}

static int starts(const char *s, const char *p)
{
	while (*p)
		if (*s++ != *p++)
			return 0;
	return 1;
}

static void parse_cmdline(const char *c)
{
	while (c && *c) {
		while (*c == ' ')
			c++;
		if (starts(c, "ip="))
			my_ip = parse_ip(c + 3);
		else if (starts(c, "dst="))
			dst_ip = parse_ip(c + 4);
		else if (starts(c, "port="))
			dst_port = (uint16_t)parse_u32(c + 5);
		else if (starts(c, "khz="))
			tsc_khz = parse_u32(c + 4);
		while (*c && *c != ' ')
			c++;
	}
}

static int vq_setup(struct vq *q, uint32_t sel, volatile struct vq_mem *m)
{
	wr32(VM_QUEUE_SEL, sel);
	if (rd32(VM_QUEUE_NUM_MAX) < QN)
		return -1;
	q->m = m;
	m->avail.flags = VRING_AVAIL_F_NO_INTERRUPT;
	wr32(VM_QUEUE_NUM, QN);
	wr32(VM_QUEUE_ALIGN, 4096);
	wr32(VM_QUEUE_PFN, (uint32_t)((uintptr_t)m >> 12));
	return 0;
}

/* Make buffer id available to the device on q. */
static void vq_post(struct vq *q, uint16_t id)
{
	q->m->avail.ring[q->next_avail % QN] = id;
	barrier();
	q->next_avail++;
	q->m->avail.idx = q->next_avail;
	barrier();
}

static int net_init(void)
{
	uint32_t f;

	for (int i = 0; i < VM_SLOTS; i++) {
		mmio = VM_BASE + VM_SLOT * (uintptr_t)i;
		if (rd32(VM_MAGIC) == VIRTIO_MAGIC && rd32(VM_DEVICE_ID) == VIRTIO_ID_NET)
			break;
		mmio = 0;
	}
	if (!mmio)
		return -1;
	if (rd32(VM_VERSION) != 1)
		return -2; /* a modern-only transport: not implemented */
	wr32(VM_STATUS, 0);
	wr32(VM_STATUS, ST_ACK);
	wr32(VM_STATUS, ST_ACK | ST_DRIVER);
	wr32(VM_HOST_FEATURES_SEL, 0);
	f = rd32(VM_HOST_FEATURES) & VIRTIO_NET_F_MAC;
	wr32(VM_GUEST_FEATURES_SEL, 0);
	wr32(VM_GUEST_FEATURES, f);
	if (f)
		for (int i = 0; i < 6; i++)
			my_mac[i] = *(volatile uint8_t *)(mmio + VM_CONFIG + (uintptr_t)i);
	wr32(VM_GUEST_PAGE_SIZE, 4096);
	if (vq_setup(&rxq, 0, &vq_mem[0]) || vq_setup(&txq, 1, &vq_mem[1]))
		return -3;
	for (uint16_t i = 0; i < QN; i++) {
		rxq.m->desc[i].addr = (uint64_t)(uintptr_t)rx_buf[i];
		rxq.m->desc[i].len = BUF;
		rxq.m->desc[i].flags = VRING_DESC_F_WRITE;
		txq.m->desc[i].addr = (uint64_t)(uintptr_t)tx_buf[i];
		txq.m->desc[i].flags = 0;
		vq_post(&rxq, i);
	}
	wr32(VM_STATUS, ST_ACK | ST_DRIVER | ST_DRIVER_OK);
	wr32(VM_QUEUE_NOTIFY, 0);
	return 0;
}

/* A frame of len bytes (Ethernet header on) for the TX queue: the next free
 * buffer, with the virtio header zeroed in front. NULL when all are in flight. */
static uint8_t *tx_frame(uint16_t *id)
{
	uint16_t used = txq.m->used.idx;

	if ((uint16_t)(txq.next_avail - used) >= QN)
		return NULL;
	*id = txq.next_avail % QN;
	memset(tx_buf[*id], 0, NET_HDR);
	return tx_buf[*id] + NET_HDR;
}

static void tx_send(uint16_t id, uint32_t len)
{
	if (len < 60)
		len = 60; /* Ethernet minimum, padding is already in the buffer */
	txq.m->desc[id].len = NET_HDR + len;
	vq_post(&txq, id);
	wr32(VM_QUEUE_NOTIFY, 1);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071 Internet checksum over len bytes. */
static uint16_t csum(const uint8_t *p, uint32_t len)
{
	uint32_t s = 0;

	for (; len > 1; p += 2, len -= 2)
		s += get16(p);
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void eth_header(uint8_t *f, const uint8_t *dst, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, my_mac, 6);
	put16(f + 12, type);
}

/* RFC 826: request (op 1) for tip, or reply (op 2) to tha/tip. */
static void arp_send(uint16_t op, const uint8_t *tha, uint32_t tip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint16_t id;
	uint8_t *f = tx_frame(&id), *a;

	if (!f)
		return;
	memset(f, 0, 60);
	eth_header(f, op == 1 ? bcast : tha, 0x0806);
	a = f + 14;
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, my_mac, 6);
	put32(a + 14, my_ip);
	if (op == 2)
		memcpy(a + 18, tha, 6);
	put32(a + 24, tip);
	tx_send(id, 42);
}

static void ip_header(uint8_t *ip, uint8_t proto, uint32_t dst, uint16_t total)
{
	static uint16_t ident;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, total);
	put16(ip + 4, ident++);
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, my_ip);
	put32(ip + 16, dst);
	put16(ip + 10, csum(ip, 20));
}

/* The beacon: UDP to dst_ip:dst_port, payload "LVPB", seq, time in ns
 * since boot (TSC / khz), all big-endian. UDP checksum 0 (RFC 768: none). */
static void beacon_send(uint32_t seq, uint64_t tsc0)
{
	uint16_t id;
	uint8_t *f = tx_frame(&id), *u;
	uint64_t ns = (rdtsc() - tsc0) * 1000000u / tsc_khz;

	if (!f)
		return;
	memset(f, 0, 60);
	eth_header(f, dst_mac, 0x0800);
	ip_header(f + 14, 17, dst_ip, 20 + 8 + 16);
	u = f + 34;
	put16(u, 40000);
	put16(u + 2, dst_port);
	put16(u + 4, 8 + 16);
	memcpy(u + 8, "LVPB", 4);
	put32(u + 12, seq);
	put32(u + 16, (uint32_t)(ns >> 32));
	put32(u + 20, (uint32_t)ns);
	tx_send(id, 14 + 20 + 8 + 16);
}

static void arp_input(const uint8_t *a, uint32_t len)
{
	uint32_t spa, tpa;

	if (len < 28 || get16(a) != 1 || get16(a + 2) != 0x0800)
		return;
	spa = get32(a + 14);
	tpa = get32(a + 24);
	if (spa == dst_ip) {
		memcpy(dst_mac, a + 8, 6);
		have_dst_mac = 1;
	}
	if (get16(a + 6) == 1 && tpa == my_ip)
		arp_send(2, a + 8, spa);
}

/* ICMP echo request to us → echo reply with the same id, seq and data. */
static void ip_input(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14;
	uint32_t hl, total;
	uint16_t id;
	uint8_t *r;

	if (len < 34 || (ip[0] >> 4) != 4)
		return;
	hl = (uint32_t)(ip[0] & 15) * 4;
	total = get16(ip + 2);
	if (hl < 20 || total < hl + 8 || 14 + total > len || get32(ip + 16) != my_ip || ip[9] != 1 ||
	    ip[hl] != 8 || (get16(ip + 6) & 0x3fff) != 0)
		return;
	if (total - hl > BUF - NET_HDR - 34)
		return;
	r = tx_frame(&id);
	if (!r)
		return;
	memset(r, 0, 60);
	eth_header(r, f + 6, 0x0800);
	memcpy(r + 34, ip + hl, total - hl);
	r[34] = 0; /* echo reply */
	put16(r + 36, 0);
	put16(r + 36, csum(r + 34, total - hl));
	ip_header(r + 14, 1, get32(ip + 12), (uint16_t)(20 + total - hl));
	tx_send(id, 14 + 20 + total - hl);
}

static void rx_poll(void)
{
	int posted = 0;

	while (rxq.last_used != rxq.m->used.idx) {
		uint32_t k = rxq.last_used % QN;
		uint16_t id = (uint16_t)rxq.m->used.ring[k].id;
		uint32_t len = rxq.m->used.ring[k].len;
		const uint8_t *f = rx_buf[id % QN] + NET_HDR;

		barrier();
		if (len > NET_HDR + 14) {
			len -= NET_HDR;
			if (get16(f + 12) == 0x0806)
				arp_input(f + 14, len - 14);
			else if (get16(f + 12) == 0x0800)
				ip_input(f, len);
		}
		rxq.last_used++;
		vq_post(&rxq, id % QN);
		posted = 1;
	}
	if (posted)
		wr32(VM_QUEUE_NOTIFY, 0);
}

void floor_main(uint32_t start_info)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)(uintptr_t)start_info;
	uint64_t tsc0 = rdtsc(), ms, next_arp, next_beacon, now;
	uint32_t seq = 0;
	int rc;

	serial_puts("lvp-floor\n");
	if (si && si->magic == HVM_START_MAGIC && si->cmdline_paddr)
		parse_cmdline((const char *)(uintptr_t)si->cmdline_paddr);
	if (!my_ip || !dst_ip || !tsc_khz) {
		serial_puts("lvp-floor: need ip=, dst= (and khz=) on the command line\n");
		return;
	}
	rc = net_init();
	if (rc) {
		serial_puts(rc == -1 ? "lvp-floor: no virtio-net on virtio-mmio\n"
			    : rc == -2 ? "lvp-floor: virtio-mmio is not the legacy version 1\n"
				       : "lvp-floor: virtio queues smaller than 16\n");
		return;
	}
	serial_puts("lvp-floor: virtio-net at ");
	serial_hex(mmio);
	serial_puts("\n");
	ms = (uint64_t)tsc_khz;
	next_arp = next_beacon = rdtsc();
	for (;;) {
		rx_poll();
		now = rdtsc();
		if (!have_dst_mac && (int64_t)(now - next_arp) >= 0) {
			arp_send(1, NULL, dst_ip);
			next_arp = now + 10 * ms;
		}
		if (have_dst_mac && (int64_t)(now - next_beacon) >= 0) {
			beacon_send(seq++, tsc0);
			if (seq == 1) { /* after the send: the line costs no beacon time */
				uint64_t us = (now - tsc0) * 1000u / tsc_khz;

				serial_puts("lvp-guest-beacon uptime=");
				serial_dec(us / 1000000u, 1);
				serial_putc('.');
				serial_dec(us % 1000000u, 6);
				serial_putc('\n');
			}
			next_beacon += ms;
			if ((int64_t)(now - next_beacon) > 0)
				next_beacon = now + ms; /* missed slots are skipped, not burst */
		}
	}
}
