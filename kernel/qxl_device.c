// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Device bring-up and teardown: BARs, ROM and RAM header validation, reset,
 * interrupts, memslots.  Every value the device presents is checked by the
 * device-interface code before the driver relies on it.
 */

#include <linux/io.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vgaarb.h>

#include <drm/drm_managed.h>
#include <drm/drm_print.h>

#include "qxl_drv.h"

/* Memslot indices (relative to the ROM's slots_start). */
#define QXL_SLOT_MAIN	0
#define QXL_SLOT_SURF	1

qxl_phys qxl_device_phys(struct qxl_device *qdev, u64 bar0_offset)
{
	return qxl_devif_phys(&qdev->layout, qdev->main_slot, bar0_offset);
}

static int qxl_device_check_rom(struct qxl_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	struct qxl_devif_bars bars = {
		.ram_size = pci_resource_len(pdev, QXL_BAR_RAM),
		.vram_size = pci_resource_len(pdev, QXL_BAR_VRAM),
		.rom_size = pci_resource_len(pdev, QXL_BAR_ROM),
		.io_size = pci_resource_len(pdev, QXL_BAR_IO),
		.vram64_size = pci_resource_len(pdev, QXL_BAR_VRAM64),
	};
	const char *why = NULL;
	void __iomem *rom;
	size_t len = bars.rom_size;
	int ret;

	if (!(pci_resource_flags(pdev, QXL_BAR_IO) & IORESOURCE_IO)) {
		drm_err(&qdev->drm, "refusing device: BAR3 is not an I/O port range\n");
		return -ENODEV;
	}
	if (len < sizeof(struct qxl_rom) || len > SZ_1M) {
		drm_err(&qdev->drm, "refusing device: ROM BAR of %zu bytes\n", len);
		return -ENODEV;
	}
	rom = devm_ioremap(&pdev->dev, pci_resource_start(pdev, QXL_BAR_ROM), len);
	if (!rom)
		return -ENOMEM;
	qdev->rom_copy = drmm_kmalloc(&qdev->drm, len, GFP_KERNEL);
	if (!qdev->rom_copy)
		return -ENOMEM;
	memcpy_fromio(qdev->rom_copy, rom, len);
	qdev->rom = rom;

	ret = qxl_devif_rom_check(qdev->rom_copy, len, pdev->revision, &bars,
				  &qdev->layout, &why);
	if (ret) {
		drm_err(&qdev->drm, "refusing device (revision %u): %s\n", pdev->revision, why);
		return ret;
	}
	return 0;
}

/*
 * Everything that can refuse the device without touching it, so that a
 * refused device leaves the firmware framebuffer (and its console) alone.
 */
int qxl_device_check(struct qxl_device *qdev)
{
	int ret;

	ret = pcim_enable_device(qdev->pdev);
	if (ret)
		return ret;
	return qxl_device_check_rom(qdev);
}

static int qxl_device_map(struct qxl_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	const struct qxl_devif_layout *l = &qdev->layout;

	qdev->ram_base = pci_resource_start(pdev, QXL_BAR_RAM);
	qdev->io_base = pci_resource_start(pdev, QXL_BAR_IO);

	/* Surfaces go to the 64-bit BAR when QEMU provides one. */
	if (pci_resource_len(pdev, QXL_BAR_VRAM64)) {
		qdev->surf_base = pci_resource_start(pdev, QXL_BAR_VRAM64);
		qdev->surf_size = pci_resource_len(pdev, QXL_BAR_VRAM64);
	} else {
		qdev->surf_base = pci_resource_start(pdev, QXL_BAR_VRAM);
		qdev->surf_size = pci_resource_len(pdev, QXL_BAR_VRAM);
	}

	qdev->ram_header = devm_ioremap(&pdev->dev, qdev->ram_base + l->ram_header_offset,
					sizeof(struct qxl_ram_header));
	qdev->pages = devm_ioremap_wc(&pdev->dev, qdev->ram_base + l->pages_offset,
				      l->pages_size);
	if (!qdev->ram_header || !qdev->pages) {
		drm_err(&qdev->drm, "cannot map BAR0\n");
		return -ENOMEM;
	}
	return 0;
}

static int qxl_device_check_ram_header(struct qxl_device *qdev)
{
	struct qxl_ram_header *copy;
	const char *why = NULL;
	int ret;

	copy = kmalloc(sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	memcpy_fromio(copy, qdev->ram_header, sizeof(*copy));
	ret = qxl_devif_ram_header_check(copy, &why);
	kfree(copy);
	if (ret)
		drm_err(&qdev->drm, "refusing device: %s\n", why);
	return ret;
}

/*
 * Reset the device and register the memslots: at probe, on resume and in
 * recovery.  A faulted device stays dead to everyone else (the rings take
 * no commands, waiters give up) until its memslots are back: a command
 * pushed before the reset would be lost with its release, one pushed
 * before the memslots would name a slot the device does not have.  A
 * failed start leaves it dead, for recovery to try again.
 */
static int qxl_device_start(struct qxl_device *qdev)
{
	int faults = atomic_read(&qdev->faults);
	enum qxl_ring_id id;
	unsigned long flags;
	int ret;

	WRITE_ONCE(qdev->resetting, true);
	qxl_io_reset(qdev);
	ret = qxl_device_check_ram_header(qdev);
	if (ret)
		goto out;
	for (id = 0; id < QXL_RING_COUNT; id++)
		qxl_ring_reset(&qdev->rings[id]);
	qxl_release_ring_reset(qdev);
	qxl_irq_arm(qdev);

	ret = qxl_io_memslot_add(qdev, qdev->main_slot, qdev->ram_base,
				 qdev->ram_base + qdev->layout.ram_header_offset);
	if (!ret)
		ret = qxl_io_memslot_add(qdev, qdev->surf_slot, qdev->surf_base,
					 qdev->surf_base + qdev->surf_size);
out:
	WRITE_ONCE(qdev->resetting, false);
	/*
	 * A fault meanwhile (the handler reset the device again): not
	 * started.  Checked and cleared under index_lock, which the handler
	 * holds while it counts the fault and marks the device dead.
	 */
	spin_lock_irqsave(&qdev->index_lock, flags);
	if (!ret && atomic_read(&qdev->faults) != faults)
		ret = -EIO;
	if (!ret)
		WRITE_ONCE(qdev->dead, false);
	spin_unlock_irqrestore(&qdev->index_lock, flags);
	return ret;
}

static void qxl_device_vga_put(void *data)
{
	struct qxl_device *qdev = data;

	vga_put(qdev->pdev, VGA_RSRC_LEGACY_IO);
}

int qxl_device_init(struct qxl_device *qdev)
{
	struct pci_dev *pdev = qdev->pdev;
	enum qxl_ring_id id;
	int ret;

	ret = qxl_device_map(qdev);
	if (ret)
		return ret;

	/*
	 * Up to revision 4 any write to a VGA register throws the device back
	 * into VGA mode; keep the legacy VGA ports to ourselves.
	 */
	if ((pdev->class >> 8) == PCI_CLASS_DISPLAY_VGA &&
	    pdev->revision < QXL_REVISION_V12_NO_VGA_RESET) {
		ret = vga_get_interruptible(pdev, VGA_RSRC_LEGACY_IO);
		if (ret)
			return ret;
		ret = devm_add_action_or_reset(&pdev->dev, qxl_device_vga_put, qdev);
		if (ret)
			return ret;
	}

	qdev->main_slot = QXL_SLOT_MAIN;
	qdev->surf_slot = QXL_SLOT_SURF;
	if (qdev->layout.slots_start + QXL_SLOT_SURF >= qdev->layout.slots_end) {
		drm_err(&qdev->drm, "refusing device: fewer than 2 memslots\n");
		return -ENODEV;
	}

	mutex_init(&qdev->io_lock);
	spin_lock_init(&qdev->index_lock);
	init_waitqueue_head(&qdev->io_wq);
	mutex_init(&qdev->primary_lock);
	qdev->image_id_key = get_random_u64();
	get_random_bytes(qdev->client_image_key, sizeof(qdev->client_image_key));
	for (id = 0; id < QXL_RING_COUNT; id++)
		qxl_ring_init(qdev, id);
	qxl_vram_init(qdev);
	qxl_release_init(qdev);
	qxl_release_init_work(qdev);
	qxl_client_monitors_init(qdev);
	qxl_recovery_init(qdev);

	ret = qxl_irq_init(qdev);
	if (ret)
		goto err_vram;
	ret = qxl_device_start(qdev);
	if (ret)
		goto err_irq;

	drm_info(&qdev->drm,
		 "revision %u, primary area %u KiB, device memory %u KiB, surface BAR %llu KiB\n",
		 qdev->layout.revision, qdev->layout.surface0_size / 1024,
		 qdev->layout.pages_size / 1024, (u64)qdev->surf_size / 1024);
	return 0;

err_irq:
	qxl_irq_disarm(qdev);
	qxl_io_reset(qdev);
err_vram:
	qxl_release_fini(qdev);
	qxl_vram_fini(qdev);
	return ret;
}

/*
 * Bring the device back after a suspend (it may have lost everything) or a
 * fault (qxl_recovery.c).
 */
int qxl_device_reinit(struct qxl_device *qdev)
{
	enum qxl_ring_id id;

	qxl_irq_disarm(qdev);
	/*
	 * Stop the device parsing before its releases' memory is reused.  The
	 * ring locks keep every command either in the ring before the reset
	 * (its release forgotten here) or out of it until the device is back
	 * (a faulted device refuses it, and its submitter retires it): none is
	 * forgotten while its submitter still pushes it, which would retire
	 * it twice.
	 */
	for (id = 0; id < QXL_RING_COUNT; id++)
		mutex_lock_nested(&qdev->rings[id].lock, id);
	qxl_io_reset(qdev);
	qxl_release_forget_all(qdev);
	for (id = 0; id < QXL_RING_COUNT; id++)
		mutex_unlock(&qdev->rings[id].lock);
	mutex_lock(&qdev->primary_lock);
	qdev->primary_created = false;
	mutex_unlock(&qdev->primary_lock);
	qxl_objects_reset(qdev);
	return qxl_device_start(qdev);
}

void qxl_device_fini(struct qxl_device *qdev)
{
	qxl_primary_destroy(qdev);
	qxl_release_wait_idle(qdev);
	qxl_irq_disarm(qdev);
	cancel_work_sync(&qdev->release_work);
	cancel_work_sync(&qdev->client_work);
	qxl_recovery_fini(qdev);
	/* The device forgets every command on reset; so may we. */
	qxl_io_reset(qdev);
	qxl_release_fini(qdev);
	qxl_monitors_fini(qdev);
	qxl_vram_fini(qdev);
}
