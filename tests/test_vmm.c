/* SPDX-License-Identifier: BSD-3-Clause
 * The VM and unikernel command lines (drivers/vmm_argv.c) against the
 * platforms' documented CLIs, the driver option parser, and the bzImage
 * payload locator against a hand-built boot header.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "qemu.h"
#include "vmm.h"

/* argv joined by single spaces, words with spaces in quotes. */
static const char *joined(const struct target *t)
{
	static char buf[4096];
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; t->argv[i]; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, strchr(t->argv[i], ' ') ? "%s'%s'" : "%s%s",
				      i ? " " : "", t->argv[i]);
	return buf;
}

static void spec(struct vmm_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->image = "/img/k";
	s->name = "lvpt1";
	s->config = "/tmp/lvpt1-x/config";
	s->console = "/tmp/lvpt1-x/console.log";
	s->tap = "lvpt1t";
	s->sock = "/tmp/lvpt1-x/vhost.sock";
	s->mac = QEMU_GUEST_MAC;
	strcpy(s->ip, "10.252.0.2");
	strcpy(s->gw, "10.252.0.1");
	strcpy(s->mask, "255.255.255.0");
	s->prefix = 24;
	s->mem_mib = 128;
}

static void test_firecracker(void **state)
{
	struct target t = { 0 };
	struct vmm_spec s;
	char cfg[2048];

	(void)state;
	spec(&s);
	assert_int_equal(vmm_argv("firecracker", &t, &s), 0);
	assert_string_equal(joined(&t), "firecracker --id lvpt1 --no-api --config-file /tmp/lvpt1-x/config --boot-timer");
	assert_true(vmm_config("firecracker", &s, cfg, sizeof(cfg)) > 0);
	assert_non_null(strstr(cfg, "\"kernel_image_path\": \"/img/k\""));
	assert_non_null(strstr(cfg, "ip=10.252.0.2::10.252.0.1:255.255.255.0::eth0:off"));
	assert_non_null(strstr(cfg, "\"mem_size_mib\": 128"));
	assert_non_null(strstr(cfg, "\"host_dev_name\": \"lvpt1t\""));
	assert_int_equal(vmm_config("firecracker", &s, cfg, 100), -E2BIG);
	assert_int_equal(vmm_wire("firecracker"), VMM_WIRE_TAP);
}

static void test_cloud_hypervisor(void **state)
{
	struct target t = { 0 };
	struct vmm_spec s;

	(void)state;
	spec(&s);
	assert_int_equal(vmm_argv("cloud-hypervisor", &t, &s), 0);
	assert_string_equal(joined(&t),
			    "cloud-hypervisor --kernel /img/k --cmdline 'console=ttyS0 panic=-1 "
			    "ip=10.252.0.2::10.252.0.1:255.255.255.0::eth0:off' --cpus boot=1 --memory size=128M,shared=on "
			    "--net vhost_user=true,socket=/tmp/lvpt1-x/vhost.sock,vhost_mode=client,mac=52:54:00:4c:56:50 "
			    "--serial file=/tmp/lvpt1-x/console.log --console off");
	assert_int_equal(vmm_wire("cloud-hypervisor"), VMM_WIRE_VHOST);
}

static void test_xen(void **state)
{
	struct target t = { 0 };
	struct vmm_spec s;
	char cfg[2048];

	(void)state;
	spec(&s);
	s.tap = "lvpt1b";
	assert_int_equal(vmm_argv("xen", &t, &s), 0);
	assert_string_equal(joined(&t), "xl create -F /tmp/lvpt1-x/config");
	assert_true(vmm_config("xen", &s, cfg, sizeof(cfg)) > 0);
	assert_non_null(strstr(cfg, "name = \"lvpt1\"\ntype = \"pvh\"\nkernel = \"/img/k\"\nmemory = 128\n"));
	assert_non_null(strstr(cfg, "vif = [ \"bridge=lvpt1b,mac=52:54:00:4c:56:50\" ]"));
	assert_int_equal(vmm_wire("xen"), VMM_WIRE_BRIDGE);
}

static void test_mirage_rumprun(void **state)
{
	struct target t = { 0 };
	struct vmm_spec s;

	(void)state;
	spec(&s);
	assert_int_equal(vmm_argv("mirage", &t, &s), 0);
	assert_string_equal(joined(&t), "solo5-hvt --mem=128 --net:service=lvpt1t -- /img/k --ipv4=10.252.0.2/24 "
					"--ipv4-gateway=10.252.0.1");
	s.variant = "spt";
	assert_int_equal(vmm_argv("mirage", &t, &s), 0);
	assert_string_equal(t.argv[0], "solo5-spt");
	s.variant = "xen";
	assert_int_equal(vmm_argv("mirage", &t, &s), -EINVAL);
	s.variant = NULL;
	assert_int_equal(vmm_argv("rumprun", &t, &s), 0);
	assert_string_equal(joined(&t), "rumprun qemu -i -M 128 -I 'lvp0,vioif,-net tap,ifname=lvpt1t,script=no,"
					"downscript=no' -W lvp0,inet,static,10.252.0.2/24,10.252.0.1 -- /img/k");
	s.kvm = 1;
	assert_int_equal(vmm_argv("rumprun", &t, &s), 0);
	assert_string_equal(t.argv[1], "kvm");
}

static void test_qemu_based(void **state)
{
	struct target t = { 0 };
	struct vmm_spec s;
	const char *j;

	(void)state;
	spec(&s);
	assert_int_equal(vmm_argv("unikraft", &t, &s), 0);
	j = joined(&t);
	assert_non_null(strstr(j, "-machine pc,memory-backend=lvpmem -accel tcg -cpu max -m 128 "
				  "-object memory-backend-memfd,id=lvpmem,size=128M,share=on"));
	assert_non_null(strstr(j, "-netdev vhost-user,id=lvpnet,chardev=lvpchr -device "
				  "virtio-net-pci,netdev=lvpnet,mac=52:54:00:4c:56:50,vectors=0"));
	assert_non_null(strstr(j, "-kernel /img/k -append 'netdev.ip=10.252.0.2/24:10.252.0.1 --'"));
	s.variant = "legacy";
	assert_int_equal(vmm_argv("unikraft", &t, &s), 0);
	assert_non_null(strstr(joined(&t), "'netdev.ipv4_addr=10.252.0.2 netdev.ipv4_gw_addr=10.252.0.1 "
					   "netdev.ipv4_subnet_mask=255.255.255.0 --'"));
	s.variant = NULL;
	assert_int_equal(vmm_argv("osv", &t, &s), 0);
	j = joined(&t);
	assert_non_null(strstr(j, "-drive file=/img/k,if=none,id=lvphd,snapshot=on -device virtio-blk-pci,drive=lvphd"));
	assert_null(strstr(j, "-kernel"));
	s.kernel = "/img/kernel.elf";
	s.kvm = 1;
	assert_int_equal(vmm_argv("osv", &t, &s), 0);
	j = joined(&t);
	assert_non_null(strstr(j, "-accel kvm -cpu host,-arch-capabilities"));
	assert_non_null(strstr(j, "-kernel /img/kernel.elf -append '--ip=eth0,10.252.0.2,255.255.255.0 "
				  "--defaultgw=10.252.0.1 --rootfs=zfs'"));
	assert_int_equal(vmm_argv("nosuch", &t, &s), -EINVAL);
}

static void test_nanos(void **state)
{
	struct target t = { 0 };
	struct vmm_spec s;
	char cfg[1024];

	(void)state;
	spec(&s);
	assert_int_equal(vmm_argv("nanos", &t, &s), 0);
	assert_string_equal(joined(&t), "ops instance create /img/k -t onprem -c /tmp/lvpt1-x/config "
					"--instance-name lvpt1");
	assert_true(vmm_config("nanos", &s, cfg, sizeof(cfg)) > 0);
	assert_non_null(strstr(cfg, "\"TapName\": \"lvpt1t\""));
	assert_int_equal(vmm_config("osv", &s, cfg, sizeof(cfg)), 0);
}

static void test_qemu_argv(void **state)
{
	struct target t = { 0 };
	struct qemu_config c = { "microvm", "auto", "vhost", "", 64 };
	struct qemu_paths p = { "/c/vmlinux", "/t/initrd", "/t/console", "/t/v.sock", "lvpx", "console=ttyS0", NULL };
	const char *j;

	(void)state;
	assert_int_equal(qemu_argv(&t, &c, &p, 0, 1), 0);
	j = joined(&t);
	assert_non_null(strstr(j, "qemu-system-x86_64 -name lvp -machine microvm,memory-backend=lvpmem -accel tcg"));
	assert_non_null(strstr(j, "-kernel /c/vmlinux -initrd /t/initrd -append console=ttyS0 "));
	assert_non_null(strstr(j, "-device virtio-net-device,netdev=lvpnet,mac=52:54:00:4c:56:50"));
	assert_null(strstr(j, "vectors=0"));
	strcpy(c.machine, "q35");
	strcpy(c.net, "tap");
	assert_int_equal(qemu_argv(&t, &c, &p, 1, 1), 0);
	j = joined(&t);
	assert_non_null(strstr(j, "-netdev tap,id=lvpnet,ifname=lvpx,script=no,downscript=no"));
	assert_non_null(strstr(j, "virtio-net-pci,netdev=lvpnet,mac=52:54:00:4c:56:50,vectors=0"));
	assert_non_null(strstr(j, "-accel kvm -cpu host,-arch-capabilities"));
	assert_int_equal(qemu_argv(&t, &c, &p, 0, 0), 0);
	assert_non_null(strstr(joined(&t), "-nic none"));
	assert_null(strstr(joined(&t), "-drive"));
	/* disk=debian: the cached disk, never written (snapshot=on) */
	p.disk = "/c/disk.raw";
	assert_int_equal(qemu_argv(&t, &c, &p, 0, 1), 0);
	assert_non_null(strstr(joined(&t), "-drive file=/c/disk.raw,if=virtio,format=raw,snapshot=on"));
}

static void test_target_opt(void **state)
{
	struct target t = { 0 };
	char v[8];

	(void)state;
	t.opts = "machine=q35,net,mem=64,memx=1";
	assert_int_equal(target_opt(&t, "machine", v, sizeof(v)), 1);
	assert_string_equal(v, "q35");
	assert_int_equal(target_opt(&t, "net", v, sizeof(v)), 1);
	assert_string_equal(v, "");
	assert_int_equal(target_opt(&t, "mem", v, sizeof(v)), 1);
	assert_string_equal(v, "64");
	assert_int_equal(target_opt(&t, "me", v, sizeof(v)), 0);
	assert_int_equal(target_opt(&t, "machine", v, 3), -E2BIG);
	t.opts = NULL;
	assert_int_equal(target_opt(&t, "mem", v, sizeof(v)), 0);
}

static void test_bzimage(void **state)
{
	static unsigned char img[8192];
	size_t off, len;

	(void)state;
	memset(img, 0, sizeof(img));
	img[0x1f1] = 3; /* setup_sects: protected mode at (3 + 1) * 512 */
	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f; /* protocol 2.15 */
	img[0x207] = 0x02;
	img[0x248] = 0x10; /* payload_offset 0x110 */
	img[0x249] = 0x01;
	img[0x24c] = 0x40; /* payload_length 0x40 */
	assert_int_equal(qemu_bzimage_payload(img, sizeof(img), &off, &len), 0);
	assert_int_equal(off, 4 * 512 + 0x110);
	assert_int_equal(len, 0x40);
	img[0x24d] = 0x80; /* longer than the file */
	assert_int_equal(qemu_bzimage_payload(img, sizeof(img), &off, &len), -EINVAL);
	img[0x24d] = 0;
	img[0x207] = 0x01; /* protocol 2.0x: no payload fields */
	assert_int_equal(qemu_bzimage_payload(img, sizeof(img), &off, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_firecracker), cmocka_unit_test(test_cloud_hypervisor),
		cmocka_unit_test(test_xen),	    cmocka_unit_test(test_mirage_rumprun),
		cmocka_unit_test(test_qemu_based),  cmocka_unit_test(test_nanos),
		cmocka_unit_test(test_qemu_argv),   cmocka_unit_test(test_target_opt),
		cmocka_unit_test(test_bzimage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
