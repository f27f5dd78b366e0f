/* SPDX-License-Identifier: BSD-3-Clause
 * Command lines, as documented by each platform:
 *  - QEMU (qemu(1)): -machine with memory-backend for vhost-user's shared
 *    memory, -chardev socket + -netdev vhost-user, virtio-net-pci with
 *    vectors=0 (QEMU 7.2 segfaults otherwise with vhost-user).
 *  - Firecracker (docs/getting-started.md): firecracker --no-api
 *    --config-file FILE, --boot-timer for its guest boot-time log line;
 *    the JSON has boot-source, machine-config, network-interfaces.
 *  - Cloud Hypervisor (docs/vhost-user-net.md, --help): --kernel,
 *    --cmdline, --cpus boot=1, --memory size=,shared=on, --net
 *    vhost_user=true,socket=,vhost_mode=client, --serial file=.
 *  - Xen (xl(1), xl.cfg(5)): xl create -F CFG (foreground: the start
 *    command lives as long as the domain), type="pvh", vif bridge=.
 *  - OSv (scripts/run.py): QEMU with the image as a virtio disk; with a
 *    separate kernel.elf, -kernel and the app's command line by -append.
 *  - Rumprun (rumprun(1) of rumprun/app-tools): rumprun kvm|qemu -i -M MiB
 *    -I tag,vioif,"-net tap,..." -W tag,inet,static,IP/LEN -- IMAGE.
 *  - MirageOS on Solo5 (solo5 docs/building.md): solo5-hvt|solo5-spt
 *    --mem=MiB --net:service=TAP -- IMAGE --ipv4=IP/LEN --ipv4-gateway=GW.
 *  - Unikraft (lib-lwip netdev parameters): QEMU -kernel IMAGE -append
 *    "netdev.ip=IP/LEN:GW --" (0.14+) or the older netdev.ipv4_addr=,
 *    netdev.ipv4_gw_addr=, netdev.ipv4_subnet_mask= triple.
 *  - Nanos (ops docs, "onprem" target): ops instance create IMAGE -t
 *    onprem -c CONFIG, the RunConfig naming the tap and the addresses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "qemu.h"
#include "vmm.h"

static uint32_t qemu_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * The compressed vmlinux inside a bzImage: the protected-mode part starts
 * at (setup_sects + 1) * 512 (setup_sects 0 means 4), and the header's
 * payload_offset (0x248) and payload_length (0x24c) locate the payload in
 * it (Documentation/arch/x86/boot.rst, protocol 2.08+).
 */
int qemu_bzimage_payload(const unsigned char *img, size_t len, size_t *off, size_t *plen)
{
	size_t pm;
	uint32_t po, pl;

	if (len < 0x250 || memcmp(img + 0x202, "HdrS", 4) != 0 || (img[0x206] | img[0x207] << 8) < 0x208)
		return -EINVAL;
	pm = ((size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;
	po = qemu_le32(img + 0x248);
	pl = qemu_le32(img + 0x24c);
	if (pm + po + pl > len || pl < 6)
		return -EINVAL;
	*off = pm + po;
	*plen = pl;
	return 0;
}

int qemu_argv(struct target *t, const struct qemu_config *c, const struct qemu_paths *paths, int kvm,
	      int with_net)
{
	char s[512];
	int pci = strcmp(c->machine, "microvm") != 0;
	int rc = 0;

	t->argv[0] = NULL;
#define ARG(w) (rc = rc ? rc : target_arg(t, (w)))
#define ARGF(...) (snprintf(s, sizeof(s), __VA_ARGS__), ARG(s))
	ARG(QEMU_BIN);
	ARG("-name");
	ARGF("lvp%s", t->tag);
	ARG("-machine");
	ARGF("%s,memory-backend=lvpmem", c->machine);
	ARG("-accel");
	ARG(kvm ? "kvm" : "tcg");
	ARG("-cpu");
	ARG(kvm ? "host,-arch-capabilities" : "max");
	ARG("-m");
	ARGF("%u", c->mem_mib);
	ARG("-object");
	ARGF("memory-backend-memfd,id=lvpmem,size=%uM,share=on", c->mem_mib);
	ARG("-smp");
	ARG("1");
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-monitor");
	ARG("none");
	ARG("-no-reboot");
	ARG("-serial");
	ARGF("file:%s", paths->console);
	ARG("-kernel");
	ARG(paths->kernel);
	if (paths->initrd && paths->initrd[0]) {
		ARG("-initrd");
		ARG(paths->initrd);
	}
	ARG("-append");
	ARG(paths->cmdline);
	if (paths->disk && paths->disk[0]) {
		ARG("-drive");
		ARGF("file=%s,if=virtio,format=raw,snapshot=on", paths->disk);
	}
	if (!with_net) {
		ARG("-nic");
		ARG("none");
	} else {
		if (strcmp(c->net, "tap") == 0) {
			ARG("-netdev");
			ARGF("tap,id=lvpnet,ifname=%s,script=no,downscript=no", paths->tap);
		} else {
			ARG("-chardev");
			ARGF("socket,id=lvpchr,path=%s", paths->sock);
			ARG("-netdev");
			ARG("vhost-user,id=lvpnet,chardev=lvpchr");
		}
		ARG("-device");
		/* vectors=0: QEMU 7.2 segfaults with vhost-user and MSI-X */
		ARGF("%s,netdev=lvpnet,mac=" QEMU_GUEST_MAC "%s", pci ? "virtio-net-pci" : "virtio-net-device",
		     pci ? ",vectors=0" : "");
	}
#undef ARG
#undef ARGF
	return rc;
}

#define ARG(w) (rc = rc ? rc : target_arg(t, (w)))
#define ARGF(...) (snprintf(buf, sizeof(buf), __VA_ARGS__), ARG(buf))

/* QEMU with shared memory and a vhost-user virtio-net-pci, no disk yet. */
static int vmm_qemu_base(struct target *t, const struct vmm_spec *s, const char *machine)
{
	char buf[512];
	int rc = 0;

	t->argv[0] = NULL;
	ARG(QEMU_BIN);
	ARG("-name");
	ARG(s->name);
	ARG("-machine");
	ARGF("%s,memory-backend=lvpmem", machine);
	ARG("-accel");
	ARG(s->kvm ? "kvm" : "tcg");
	ARG("-cpu");
	ARG(s->kvm ? "host,-arch-capabilities" : "max");
	ARG("-m");
	ARGF("%u", s->mem_mib);
	ARG("-object");
	ARGF("memory-backend-memfd,id=lvpmem,size=%uM,share=on", s->mem_mib);
	ARG("-nodefaults");
	ARG("-no-user-config");
	ARG("-display");
	ARG("none");
	ARG("-monitor");
	ARG("none");
	ARG("-no-reboot");
	ARG("-serial");
	ARGF("file:%s", s->console);
	ARG("-chardev");
	ARGF("socket,id=lvpchr,path=%s", s->sock);
	ARG("-netdev");
	ARG("vhost-user,id=lvpnet,chardev=lvpchr");
	ARG("-device");
	ARGF("virtio-net-pci,netdev=lvpnet,mac=%s,vectors=0", s->mac);
	return rc;
}

static int vmm_firecracker(struct target *t, const struct vmm_spec *s)
{
	int rc = 0;

	t->argv[0] = NULL;
	ARG("firecracker");
	ARG("--id");
	ARG(s->name);
	ARG("--no-api");
	ARG("--config-file");
	ARG(s->config);
	ARG("--boot-timer");
	return rc;
}

static int vmm_cloud_hypervisor(struct target *t, const struct vmm_spec *s)
{
	char buf[512];
	int rc = 0;

	t->argv[0] = NULL;
	ARG("cloud-hypervisor");
	ARG("--kernel");
	ARG(s->image);
	ARG("--cmdline");
	ARGF("console=ttyS0 panic=-1 ip=%s::%s:%s::eth0:off", s->ip, s->gw, s->mask);
	ARG("--cpus");
	ARG("boot=1");
	ARG("--memory");
	ARGF("size=%uM,shared=on", s->mem_mib);
	ARG("--net");
	ARGF("vhost_user=true,socket=%s,vhost_mode=client,mac=%s", s->sock, s->mac);
	ARG("--serial");
	ARGF("file=%s", s->console);
	ARG("--console");
	ARG("off");
	return rc;
}

static int vmm_xen(struct target *t, const struct vmm_spec *s)
{
	int rc = 0;

	t->argv[0] = NULL;
	ARG("xl");
	ARG("create");
	ARG("-F");
	ARG(s->config);
	return rc;
}

static int vmm_osv(struct target *t, const struct vmm_spec *s)
{
	char buf[512];
	int rc = vmm_qemu_base(t, s, "q35");

	if (s->kernel) {
		/* kernel.elf by PVH; the disk holds the app, the network comes
		 * from the command line (OSv's --ip/--defaultgw options) */
		ARG("-kernel");
		ARG(s->kernel);
		ARG("-append");
		ARGF("--ip=eth0,%s,%s --defaultgw=%s --rootfs=zfs", s->ip, s->mask, s->gw);
	}
	ARG("-drive");
	ARGF("file=%s,if=none,id=lvphd,snapshot=on", s->image);
	ARG("-device");
	ARG("virtio-blk-pci,drive=lvphd");
	return rc;
}

static int vmm_unikraft(struct target *t, const struct vmm_spec *s)
{
	char buf[512];
	int rc = vmm_qemu_base(t, s, "pc");

	ARG("-kernel");
	ARG(s->image);
	ARG("-append");
	if (s->variant && strcmp(s->variant, "legacy") == 0)
		ARGF("netdev.ipv4_addr=%s netdev.ipv4_gw_addr=%s netdev.ipv4_subnet_mask=%s --", s->ip, s->gw,
		     s->mask);
	else if (!s->variant || strcmp(s->variant, "new") == 0)
		ARGF("netdev.ip=%s/%u:%s --", s->ip, s->prefix, s->gw);
	else
		return -EINVAL;
	return rc;
}

static int vmm_rumprun(struct target *t, const struct vmm_spec *s)
{
	char buf[512];
	int rc = 0;

	if (s->variant && strcmp(s->variant, "kvm") && strcmp(s->variant, "qemu"))
		return -EINVAL;
	t->argv[0] = NULL;
	ARG("rumprun");
	ARG(s->variant ? s->variant : (s->kvm ? "kvm" : "qemu"));
	ARG("-i");
	ARG("-M");
	ARGF("%u", s->mem_mib);
	ARG("-I");
	ARGF("lvp0,vioif,-net tap,ifname=%s,script=no,downscript=no", s->tap);
	ARG("-W");
	ARGF("lvp0,inet,static,%s/%u,%s", s->ip, s->prefix, s->gw);
	ARG("--");
	ARG(s->image);
	return rc;
}

static int vmm_mirage(struct target *t, const struct vmm_spec *s)
{
	char buf[512];
	int rc = 0;

	if (s->variant && strcmp(s->variant, "hvt") && strcmp(s->variant, "spt"))
		return -EINVAL;
	t->argv[0] = NULL;
	ARG(s->variant && strcmp(s->variant, "spt") == 0 ? "solo5-spt" : "solo5-hvt");
	ARGF("--mem=%u", s->mem_mib);
	ARGF("--net:service=%s", s->tap);
	ARG("--");
	ARG(s->image);
	ARGF("--ipv4=%s/%u", s->ip, s->prefix);
	ARGF("--ipv4-gateway=%s", s->gw);
	return rc;
}

static int vmm_nanos(struct target *t, const struct vmm_spec *s)
{
	int rc = 0;

	t->argv[0] = NULL;
	ARG("ops");
	ARG("instance");
	ARG("create");
	ARG(s->image);
	ARG("-t");
	ARG("onprem");
	ARG("-c");
	ARG(s->config);
	ARG("--instance-name");
	ARG(s->name);
	return rc;
}

#undef ARG
#undef ARGF

static const struct {
	const char *name;
	enum vmm_wire wire;
	int (*argv)(struct target *t, const struct vmm_spec *s);
} vmm_table[] = {
	{ "firecracker", VMM_WIRE_TAP, vmm_firecracker },
	{ "cloud-hypervisor", VMM_WIRE_VHOST, vmm_cloud_hypervisor },
	{ "xen", VMM_WIRE_BRIDGE, vmm_xen },
	{ "osv", VMM_WIRE_VHOST, vmm_osv },
	{ "rumprun", VMM_WIRE_TAP, vmm_rumprun },
	{ "mirage", VMM_WIRE_TAP, vmm_mirage },
	{ "unikraft", VMM_WIRE_VHOST, vmm_unikraft },
	{ "nanos", VMM_WIRE_TAP, vmm_nanos },
};

int vmm_wire(const char *platform)
{
	for (size_t i = 0; i < sizeof(vmm_table) / sizeof(vmm_table[0]); i++)
		if (strcmp(vmm_table[i].name, platform) == 0)
			return (int)vmm_table[i].wire;
	return -1;
}

int vmm_argv(const char *platform, struct target *t, const struct vmm_spec *s)
{
	for (size_t i = 0; i < sizeof(vmm_table) / sizeof(vmm_table[0]); i++)
		if (strcmp(vmm_table[i].name, platform) == 0)
			return vmm_table[i].argv(t, s);
	return -EINVAL;
}

int vmm_config(const char *platform, const struct vmm_spec *s, char *buf, size_t len)
{
	int n;

	if (strcmp(platform, "firecracker") == 0)
		n = snprintf(buf, len,
			     "{\n"
			     "  \"boot-source\": {\n"
			     "    \"kernel_image_path\": \"%s\",\n"
			     "    \"boot_args\": \"console=ttyS0 reboot=k panic=1 pci=off ip=%s::%s:%s::eth0:off\"\n"
			     "  },\n"
			     "  \"drives\": [],\n"
			     "  \"machine-config\": { \"vcpu_count\": 1, \"mem_size_mib\": %u },\n"
			     "  \"network-interfaces\": [\n"
			     "    { \"iface_id\": \"eth0\", \"guest_mac\": \"%s\", \"host_dev_name\": \"%s\" }\n"
			     "  ]\n"
			     "}\n",
			     s->image, s->ip, s->gw, s->mask, s->mem_mib, s->mac, s->tap);
	else if (strcmp(platform, "xen") == 0)
		n = snprintf(buf, len,
			     "name = \"%s\"\n"
			     "type = \"pvh\"\n"
			     "kernel = \"%s\"\n"
			     "memory = %u\n"
			     "vcpus = 1\n"
			     "vif = [ \"bridge=%s,mac=%s\" ]\n"
			     "extra = \"console=hvc0 panic=-1 ip=%s::%s:%s::eth0:off\"\n"
			     "on_poweroff = \"destroy\"\n"
			     "on_crash = \"destroy\"\n",
			     s->name, s->image, s->mem_mib, s->tap, s->mac, s->ip, s->gw, s->mask);
	else if (strcmp(platform, "nanos") == 0)
		n = snprintf(buf, len,
			     "{\n"
			     "  \"RunConfig\": {\n"
			     "    \"Memory\": \"%uM\",\n"
			     "    \"Accel\": %s,\n"
			     "    \"TapName\": \"%s\",\n"
			     "    \"IPAddress\": \"%s\",\n"
			     "    \"Gateway\": \"%s\",\n"
			     "    \"NetMask\": \"%s\"\n"
			     "  }\n"
			     "}\n",
			     s->mem_mib, s->kvm ? "true" : "false", s->tap, s->ip, s->gw, s->mask);
	else
		return 0;
	return n >= (int)len ? -E2BIG : n;
}
