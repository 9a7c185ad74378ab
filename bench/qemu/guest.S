/* SPDX-License-Identifier: MIT */
/*
 * A 64 KiB "BIOS" for -M pc (-bios FILE): the guest writer of
 * bench_qemu.py.  Real mode, no SeaBIOS.  At reset it copies the data
 * at 0x10000 to each listed I/O port with `rep outsb` (one port access
 * per byte, as a driver writing THR would), sets a done flag and halts
 * with interrupts off.  The host fills RAM and the mailbox with qtest
 * (b64write / writew) and restarts it with QMP system_reset.
 *
 * Mailbox at 0x0000:0x0500 (16-bit words):
 *   0x500 blocks  64 KiB blocks per pass, from segment 0x1000 on (<= 8)
 *   0x502 passes  times the blocks are sent to each port
 *   0x504 done    set to 1 by the guest when all is sent
 *   0x506 nports  number of ports that follow
 *   0x508 ports   THR addresses (0x3f8, 0x2f8, PCI BAR + 8*k, ...),
 *                 at most 120
 *   0x700 ncfg    number of PCI configuration writes that follow
 *   0x704 cfg     (address for 0xcf8, value for 0xcfc) pairs of dwords
 *
 * Build: as --32 -o guest.o guest.S && objcopy -O binary guest.o g.bin,
 * then pad to 65536 bytes: code at F000:0000, reset vector at 0xFFF0.
 */
	.code16
	.text
	.globl start
start:
	cli
	cld
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %ss
	mov	$0x7000, %sp
	mov	0x700, %cx		/* PCI configuration writes */
	mov	$0x704, %si
next_cfg:
	jcxz	cfg_done
	mov	$0xcf8, %dx
	movl	(%si), %eax
	outl	%eax, %dx
	mov	$0xcfc, %dx
	movl	4(%si), %eax
	outl	%eax, %dx
	add	$8, %si
	dec	%cx
	jmp	next_cfg
cfg_done:
	xor	%di, %di		/* 2 * port index */
next_port:
	xor	%ax, %ax
	mov	%ax, %ds
	mov	0x506, %ax
	shl	$1, %ax
	cmp	%ax, %di
	jae	finish
	mov	0x508(%di), %dx
	mov	0x502, %bp		/* passes */
next_pass:
	test	%bp, %bp
	jz	port_done
	xor	%ax, %ax
	mov	%ax, %ds
	mov	0x500, %bx		/* blocks */
	mov	$0x1000, %ax
next_block:
	test	%bx, %bx
	jz	pass_done
	mov	%ax, %ds
	xor	%si, %si
	mov	$0x8000, %cx
	rep outsb
	mov	$0x8000, %cx
	rep outsb
	add	$0x1000, %ax
	dec	%bx
	jmp	next_block
pass_done:
	dec	%bp
	jmp	next_pass
port_done:
	add	$2, %di
	jmp	next_port
finish:
	xor	%ax, %ax
	mov	%ax, %ds
	movw	$1, 0x504
halt:
	hlt
	jmp	halt

	/* reset vector: 0xFFFF0 in the 64 KiB image */
	.org	0xfff0
	ljmp	$0xf000, $start
	.org	0x10000
