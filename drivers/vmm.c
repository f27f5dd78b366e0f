/* SPDX-License-Identifier: BSD-3-Clause
 * Other VMMs and unikernels, for images the user brings (--image PATH;
 * none can be built here): firecracker, cloud-hypervisor, xen (xl),
 * osv, rumprun, mirage (solo5 hvt/spt), unikraft, nanos (ops). Each
 * knows its command line (vmm_argv.c), its network wiring and what it
 * needs from the host; available() names the first thing missing: the
 * binary and where it comes from, unusable KVM, not a Xen dom0.
 *
 * Wiring: tap platforms get lvp<tag>t driven by af_packet; vhost
 * platforms the dataplane's vhost-user socket; xen a bridge lvp<tag>b
 * holding the veth peer lvp<tag>p (the domain's vif joins it), the
 * host end lvp<tag>h driven by af_xdp. Options (--opts): mem=MiB,
 * variant=hvt|spt (mirage), kvm|qemu (rumprun), new|legacy (unikraft),
 * kernel=PATH (osv: a separate kernel.elf), accel=kvm|tcg (QEMU-based).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "ledger.h"
#include "proc.h"
#include "qemu.h"
#include "vmm.h"

#include "driver.h"

enum vmm_kvm { KVM_NONE, KVM_NEEDED, KVM_OPTIONAL };

struct vmm_kind {
	const char *name;
	const char *bin, *alt_bin; /* alt_bin: another binary that will do (solo5-spt) */
	const char *from;	   /* where the binary comes from */
	enum vmm_kvm kvm;
	int dom0;
};

static const struct vmm_kind vmm_kinds[] = {
	{ "firecracker", "firecracker", NULL,
	  "not packaged in Debian 12: a release binary of github.com/firecracker-microvm/firecracker",
	  KVM_NEEDED, 0 },
	{ "cloud-hypervisor", "cloud-hypervisor", NULL,
	  "not packaged in Debian 12: a release binary of github.com/cloud-hypervisor/cloud-hypervisor",
	  KVM_NEEDED, 0 },
	{ "xen", "xl", NULL, "Debian package xen-utils-common (and a Xen hypervisor boot)", KVM_NONE, 1 },
	{ "osv", QEMU_BIN, NULL, "Debian package qemu-system-x86", KVM_OPTIONAL, 0 },
	{ "rumprun", "rumprun", NULL, "not packaged in Debian 12: rumprun's app-tools (github.com/rumpkernel/rumprun)",
	  KVM_OPTIONAL, 0 },
	{ "mirage", "solo5-hvt", "solo5-spt", "not packaged in Debian 12: opam's solo5 (github.com/Solo5/solo5)",
	  KVM_NEEDED, 0 },
	{ "unikraft", QEMU_BIN, NULL, "Debian package qemu-system-x86", KVM_OPTIONAL, 0 },
	{ "nanos", "ops", NULL, "not packaged in Debian 12: the ops binary of github.com/nanovms/ops",
	  KVM_OPTIONAL, 0 },
};

struct vmm_priv {
	const struct vmm_kind *k;
	char dir[64], config[96], console[96], sock[96], name[16], tap[16], bridge[16];
	char kernel[256], variant[16], image[512];
	int tap_made, bridge_made, veth_made;
	struct vmm_spec s;
};

static int vmm_in_path(const char *bin)
{
	static const char *const dirs[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin",
					    "/bin" };
	char p[256];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dirs[i], bin);
		if (access(p, X_OK) == 0)
			return 1;
	}
	return 0;
}

/* 1 when /dev/kvm can run a stock guest; 0 with the reason. PVM (the
 * kvm_pvm module, a KVM without VMX/SVM) runs only guests that avoid
 * what it cannot emulate: stock kernels die with "KVM internal error". */
static int vmm_kvm_usable(char *why, size_t len)
{
	char line[4096];
	FILE *f;
	int hw = 0;

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		snprintf(why, len, "no usable /dev/kvm");
		return 0;
	}
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "flags", 5) == 0) {
			hw = strstr(line, " vmx") || strstr(line, " svm");
			break;
		}
	if (f)
		fclose(f);
	if (!hw && access("/sys/module/kvm_pvm", F_OK) == 0) {
		snprintf(why, len,
			 "/dev/kvm is PVM (kvm_pvm, no vmx/svm): stock guests fail with \"KVM internal error\"");
		return 0;
	}
	if (!hw) {
		snprintf(why, len, "/dev/kvm without vmx/svm in /proc/cpuinfo");
		return 0;
	}
	return 1;
}

static int vmm_is_dom0(void)
{
	char caps[128] = "";
	FILE *f = fopen("/proc/xen/capabilities", "r");

	if (!f)
		return 0;
	if (!fgets(caps, sizeof(caps), f))
		caps[0] = 0;
	fclose(f);
	return strstr(caps, "control_d") != NULL;
}

static const struct vmm_kind *vmm_kind_of(const char *name)
{
	for (size_t i = 0; i < sizeof(vmm_kinds) / sizeof(vmm_kinds[0]); i++)
		if (strcmp(vmm_kinds[i].name, name) == 0)
			return &vmm_kinds[i];
	return NULL;
}

static int vmm_available_of(const char *name, char *why, size_t len)
{
	const struct vmm_kind *k = vmm_kind_of(name);
	char kvm[200];
	int has_bin = vmm_in_path(k->bin) || (k->alt_bin && vmm_in_path(k->alt_bin));
	int kvm_ok = vmm_kvm_usable(kvm, sizeof(kvm));

	if (k->dom0 && !vmm_is_dom0()) {
		snprintf(why, len, "not a Xen dom0 (no control_d in /proc/xen/capabilities)%s%s%s",
			 has_bin ? "" : "; xl not found (", has_bin ? "" : k->from, has_bin ? "" : ")");
		return 0;
	}
	if (!has_bin) {
		snprintf(why, len, "%s%s%s not found (%s)%s%s", k->bin, k->alt_bin ? " or " : "",
			 k->alt_bin ? k->alt_bin : "", k->from, k->kvm == KVM_NEEDED && !kvm_ok ? "; also " : "",
			 k->kvm == KVM_NEEDED && !kvm_ok ? kvm : "");
		return 0;
	}
	if (k->kvm == KVM_NEEDED && !kvm_ok) {
		/* mirage runs without KVM on solo5-spt */
		if (!(k->alt_bin && vmm_in_path(k->alt_bin))) {
			snprintf(why, len, "%s needs KVM: %s", k->bin, kvm);
			return 0;
		}
	}
	return 1;
}

static void vmm_remove_link(const char *name)
{
	char *del[] = { "ip", "link", "del", (char *)name, NULL };

	proc_run(del, 1, 10ull * 1000000000u);
	ledger_done(LEDGER_LINK, name);
}

static int vmm_ip(char *const argv[], const char *what, char *err, size_t len)
{
	if (proc_run(argv, 1, 10ull * 1000000000u) != 0) {
		snprintf(err, len, "%s failed", what);
		return -EIO;
	}
	return 0;
}

static void vmm_destroy(struct target *t);

static int vmm_prepare_of(const char *name, struct target *t, char *err, size_t len)
{
	struct vmm_priv *p = calloc(1, sizeof(*p));
	char v[32], cfg[2048];
	int rc, n, wire = vmm_wire(name);

	if (!p) {
		snprintf(err, len, "%s: out of memory", name);
		return -ENOMEM;
	}
	t->priv = p;
	p->k = vmm_kind_of(name);
	if (!t->image || access(t->image, R_OK) != 0) {
		snprintf(err, len, "%s: --image PATH is required and must be readable (%s): lvperf cannot build %s images here",
			 name, t->image ? strerror(errno) : "none given", name);
		rc = -EINVAL;
		goto fail;
	}
	snprintf(p->image, sizeof(p->image), "%s", t->image);
	p->s.image = p->image;
	p->s.mem_mib = 256;
	if (target_opt(t, "mem", v, sizeof(v)) == 1)
		p->s.mem_mib = (unsigned int)strtoul(v, NULL, 10);
	if (p->s.mem_mib < 8) {
		snprintf(err, len, "%s: --opts mem= takes MiB (at least 8)", name);
		rc = -EINVAL;
		goto fail;
	}
	if (target_opt(t, "variant", p->variant, sizeof(p->variant)) == 1)
		p->s.variant = p->variant;
	if (target_opt(t, "kernel", p->kernel, sizeof(p->kernel)) == 1)
		p->s.kernel = p->kernel;
	p->s.kvm = 0;
	if (p->k->kvm != KVM_NONE && !(target_opt(t, "accel", v, sizeof(v)) == 1 && strcmp(v, "tcg") == 0))
		p->s.kvm = vmm_kvm_usable(cfg, sizeof(cfg));
	if (strcmp(name, "mirage") == 0 && !p->s.variant) /* spt needs no KVM */
		p->s.variant = p->s.kvm ? "hvt" : "spt";
	snprintf(p->name, sizeof(p->name), "lvp%s", t->tag);
	ledger_run_dir(p->dir, sizeof(p->dir), t->tag, name);
	snprintf(p->config, sizeof(p->config), "%s/config", p->dir);
	snprintf(p->console, sizeof(p->console), "%s/console.log", p->dir);
	snprintf(p->sock, sizeof(p->sock), "%s/vhost.sock", p->dir);
	p->s.name = p->name;
	p->s.config = p->config;
	p->s.console = p->console;
	p->s.sock = p->sock;
	p->s.mac = QEMU_GUEST_MAC;
	pkt_format_ip(t->target_ip, p->s.ip);
	pkt_format_ip(t->appliance_ip, p->s.gw);
	pkt_format_ip(t->prefix_len ? ~0u << (32 - t->prefix_len) : 0, p->s.mask);
	p->s.prefix = t->prefix_len;
	ledger_add(LEDGER_DIRECTORY, p->dir);
	if (mkdir(p->dir, 0700) != 0) {
		rc = -errno;
		snprintf(err, len, "%s: cannot create %s: %s", name, p->dir, strerror(errno));
		p->dir[0] = 0;
		goto fail;
	}
	if (wire == VMM_WIRE_TAP) {
		char *add[] = { "ip", "tuntap", "add", "dev", p->tap, "mode", "tap", NULL };
		char *up[] = { "ip", "link", "set", p->tap, "up", NULL };

		snprintf(p->tap, sizeof(p->tap), "lvp%st", t->tag);
		ledger_add(LEDGER_LINK, p->tap);
		p->tap_made = 1;
		if ((rc = vmm_ip(add, "ip tuntap add", err, len)) || (rc = vmm_ip(up, "ip link set up", err, len)))
			goto fail;
		p->s.tap = p->tap;
		snprintf(t->port, sizeof(t->port), "af_packet:%s", p->tap);
	} else if (wire == VMM_WIRE_VHOST) {
		snprintf(t->port, sizeof(t->port), "vhost:%s", p->sock);
	} else {
		char *add[] = { "ip", "link", "add", p->bridge, "type", "bridge", NULL };
		char *up[] = { "ip", "link", "set", p->bridge, "up", NULL };
		char *master[] = { "ip", "link", "set", t->link.peer_if, "master", p->bridge, "up", NULL };

		snprintf(p->bridge, sizeof(p->bridge), "lvp%sb", t->tag);
		ledger_add(LEDGER_LINK, p->bridge);
		p->bridge_made = 1;
		if ((rc = vmm_ip(add, "ip link add type bridge", err, len)) || (rc = vmm_ip(up, "ip link set up", err, len)))
			goto fail;
		rc = netns_veth_create(&t->link, t->tag, 1, err, len);
		if (rc)
			goto fail;
		p->veth_made = 1;
		if ((rc = vmm_ip(master, "ip link set master", err, len)))
			goto fail;
		p->s.tap = p->bridge;
	}
	n = vmm_config(name, &p->s, cfg, sizeof(cfg));
	if (n < 0) {
		snprintf(err, len, "%s: config file too long", name);
		rc = n;
		goto fail;
	}
	if (n > 0) {
		FILE *f = fopen(p->config, "w");

		if (!f || fwrite(cfg, 1, (size_t)n, f) != (size_t)n) {
			snprintf(err, len, "%s: cannot write %s", name, p->config);
			if (f)
				fclose(f);
			rc = -EIO;
			goto fail;
		}
		fclose(f);
	}
	rc = vmm_argv(name, t, &p->s);
	if (rc) {
		snprintf(err, len, "%s: %s", name,
			 rc == -EINVAL ? "unknown --opts variant= for this platform" : "start command too long");
		goto fail;
	}
	snprintf(t->variant, sizeof(t->variant), "%s%s%s %s", name, p->s.variant ? " " : "",
		 p->s.variant ? p->s.variant : "", p->k->kvm == KVM_NONE ? "xen" : p->s.kvm ? "kvm" : "tcg");
	return 0;
fail:
	vmm_destroy(t);
	return rc;
}

/* What outlives the start command: a Xen domain (xl create -F is only
 * its console), an ops instance. */
static void vmm_stop(struct target *t, pid_t start_pid)
{
	struct vmm_priv *p = t->priv;

	(void)start_pid;
	if (!p)
		return;
	if (strcmp(p->k->name, "xen") == 0) {
		char *argv[] = { "xl", "destroy", p->name, NULL };

		proc_run(argv, 1, 30ull * 1000000000u);
	} else if (strcmp(p->k->name, "nanos") == 0) {
		char *argv[] = { "ops", "instance", "delete", p->name, NULL };

		proc_run(argv, 1, 30ull * 1000000000u);
	}
}

static void vmm_destroy(struct target *t)
{
	struct vmm_priv *p = t->priv;

	if (!p)
		return;
	if (p->tap_made)
		vmm_remove_link(p->tap);
	if (p->veth_made)
		netns_link_destroy(&t->link);
	if (p->bridge_made)
		vmm_remove_link(p->bridge);
	if (p->dir[0])
		driver_remove_dir(p->dir);
	free(p);
	t->priv = NULL;
}

static int64_t vmm_image_size(struct target *t)
{
	struct vmm_priv *p = t->priv;
	int64_t a, b = 0;

	if (!p)
		return -EINVAL;
	a = driver_du(p->image);
	if (a >= 0 && p->kernel[0])
		b = driver_du(p->kernel);
	return a < 0 ? a : b < 0 ? b : a + b;
}

static int64_t vmm_memory(struct target *t, pid_t start_pid)
{
	(void)t;
	return driver_rss(start_pid);
}

#define VMM_DRIVER(id, nm, text)                                                                 \
	static int vmm_available_##id(char *why, size_t len)                                     \
	{                                                                                         \
		return vmm_available_of(nm, why, len);                                            \
	}                                                                                         \
	static int vmm_prepare_##id(struct target *t, char *err, size_t len)                      \
	{                                                                                         \
		return vmm_prepare_of(nm, t, err, len);                                           \
	}                                                                                         \
	const struct driver driver_##id = {                                                      \
		.name = nm,                                                                       \
		.summary = text,                                                                  \
		.available = vmm_available_##id,                                                  \
		.prepare = vmm_prepare_##id,                                                      \
		.stop = vmm_stop,                                                                 \
		.destroy = vmm_destroy,                                                           \
		.image_size = vmm_image_size,                                                     \
		.memory = vmm_memory,                                                             \
		.caps = DRIVER_CAP_VM | DRIVER_CAP_MIN_MEMORY | DRIVER_CAP_USER_IMAGE,            \
	};                                                                                        \
	DRIVER_REGISTER(driver_##id)

VMM_DRIVER(firecracker, "firecracker", "Firecracker microVM of a user kernel (--image), tap")
VMM_DRIVER(cloud_hypervisor, "cloud-hypervisor", "Cloud Hypervisor VM of a user kernel (--image), vhost-user")
VMM_DRIVER(xen, "xen", "a Xen PVH domain (xl create) of a user kernel (--image), bridge")
VMM_DRIVER(osv, "osv", "an OSv image (--image) under QEMU, vhost-user")
VMM_DRIVER(rumprun, "rumprun", "a Rumprun unikernel (--image) by rumprun kvm|qemu, tap")
VMM_DRIVER(mirage, "mirage", "a MirageOS unikernel (--image) on solo5-hvt|spt, tap")
VMM_DRIVER(unikraft, "unikraft", "a Unikraft kernel (--image) under QEMU, vhost-user")
VMM_DRIVER(nanos, "nanos", "a Nanos image (--image) by ops on-prem, tap")
