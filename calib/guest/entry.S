/* SPDX-License-Identifier: BSD-3-Clause
 * PVH entry of the floor guest (Xen's hvm start protocol, which QEMU
 * follows for -kernel ELFs with a XEN_ELFNOTE_PHYS32_ENTRY note): 32-bit
 * protected mode, paging off, %ebx = physical address of hvm_start_info.
 * Identity-map the first 4 GiB with 2 MiB pages (the virtio-mmio window
 * is at 0xfeb00000), enter long mode and call floor_main(start_info).
 * No 32-bit paging on the way: PVM's KVM does not allow it.
 */
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.pvh, "a", @note
	.p2align 2
	.long 4			/* namesz: "Xen\0" */
	.long 8			/* descsz: a .quad, as QEMU reads it from a 64-bit ELF */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.p2align 2
	.quad pvh_start
	.p2align 2

	.section .text.entry, "ax"
	.code32
	.globl pvh_start
pvh_start:
	cli
	cld
	movl %ebx, %esi
	movl $boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD0..PD3; PDn[i] = 2 MiB page */
	movl $pml4, %edi
	movl $pdpt, %eax
	orl $0x3, %eax
	movl %eax, (%edi)
	movl $pdpt, %edi
	movl $pd, %eax
	orl $0x3, %eax
	movl $4, %ecx
1:	movl %eax, (%edi)
	movl $0, 4(%edi)
	addl $4096, %eax
	addl $8, %edi
	loop 1b
	movl $pd, %edi
	movl $0x83, %eax	/* present, writable, 2 MiB */
	xorl %edx, %edx
	movl $2048, %ecx
2:	movl %eax, (%edi)
	movl %edx, 4(%edi)
	addl $0x200000, %eax
	adcl $0, %edx
	addl $8, %edi
	loop 2b

	movl %cr4, %eax
	orl $0x20, %eax		/* PAE */
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $0xc0000080, %ecx	/* EFER */
	rdmsr
	orl $0x100, %eax	/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000001, %eax	/* PG, PE */
	movl %eax, %cr0
	lgdt gdt_desc
	ljmp $0x08, $long_mode

	.code64
long_mode:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq $boot_stack_top, %rsp
	movl %esi, %edi
	call floor_main
3:	hlt
	jmp 3b

	.section .rodata
	.p2align 3
gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
gdt_desc:
	.word gdt_desc - gdt - 1
	.long gdt

	.section .bss
	.p2align 12
pml4:	.skip 4096
pdpt:	.skip 4096
pd:	.skip 4 * 4096
boot_stack:
	.skip 16384
boot_stack_top:
