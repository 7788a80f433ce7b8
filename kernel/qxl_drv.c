// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * qxl.ko: PCI driver, DRM driver, power management, module parameters.
 */

#include <linux/module.h>
#include <linux/pci.h>

#include <drm/drm_aperture.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_ioctl.h>
#include <drm/drm_modeset_helper.h>
#include <drm/drm_module.h>
#include <drm/drm_print.h>

#include "qxl_drm.h"
#include "qxl_compat.h"
#include "qxl_drv.h"

int qxl_num_heads = 4;
MODULE_PARM_DESC(num_heads, "Number of heads (CRTCs), 1 to 16 (default 4)");
module_param_named(num_heads, qxl_num_heads, int, 0400);

static int qxl_modeset = -1;
MODULE_PARM_DESC(modeset, "Disable/Enable modesetting");
module_param_named(modeset, qxl_modeset, int, 0400);

DEFINE_DRM_GEM_FOPS(qxl_fops);

/* Same numbers and, as on mainline, authenticated clients only. */
static const struct drm_ioctl_desc qxl_ioctls[] = {
	DRM_IOCTL_DEF_DRV(QXL_ALLOC, qxl_alloc_ioctl, DRM_AUTH),
	DRM_IOCTL_DEF_DRV(QXL_MAP, qxl_map_ioctl, DRM_AUTH),
	DRM_IOCTL_DEF_DRV(QXL_EXECBUFFER, qxl_execbuffer_ioctl, DRM_AUTH),
	DRM_IOCTL_DEF_DRV(QXL_UPDATE_AREA, qxl_update_area_ioctl, DRM_AUTH),
	DRM_IOCTL_DEF_DRV(QXL_GETPARAM, qxl_getparam_ioctl, DRM_AUTH),
	DRM_IOCTL_DEF_DRV(QXL_CLIENTCAP, qxl_clientcap_ioctl, DRM_AUTH),
	DRM_IOCTL_DEF_DRV(QXL_ALLOC_SURF, qxl_alloc_surf_ioctl, DRM_AUTH),
};

static const struct drm_driver qxl_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC |
			   QXL_COMPAT_DRIVER_CURSOR_HOTSPOT,
	.fops = &qxl_fops,
	.ioctls = qxl_ioctls,
	.num_ioctls = ARRAY_SIZE(qxl_ioctls),
	/* the shmem helper's, with dumb buffers bounded (qxl_dumb.c) */
	QXL_COMPAT_GEM_PRIME_OPS
	.gem_prime_import_sg_table = drm_gem_shmem_prime_import_sg_table,
	.dumb_create = qxl_dumb_create,
#if IS_ENABLED(CONFIG_DEBUG_FS)
	.debugfs_init = qxl_debugfs_init,
#endif
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.date = DRIVER_DATE,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
};

static int qxl_pci_probe(struct pci_dev *pdev, const struct pci_device_id *ent)
{
	struct qxl_device *qdev;
	int ret;

	if (qxl_num_heads < 1 || qxl_num_heads > QXL_MAX_HEADS) {
		dev_err(&pdev->dev, "num_heads=%d is outside 1..%d\n", qxl_num_heads,
			QXL_MAX_HEADS);
		return -EINVAL;
	}
	ret = qxl_dumb_check_param(&pdev->dev);
	if (ret)
		return ret;

	qdev = devm_drm_dev_alloc(&pdev->dev, &qxl_driver, struct qxl_device, drm);
	if (IS_ERR(qdev))
		return PTR_ERR(qdev);
	qdev->pdev = pdev;
	qdev->num_heads = qxl_num_heads;
	pci_set_drvdata(pdev, qdev);

	ret = qxl_device_check(qdev);
	if (ret)
		return ret;
	ret = drm_aperture_remove_conflicting_pci_framebuffers(pdev, &qxl_driver);
	if (ret)
		return ret;
	ret = qxl_device_init(qdev);
	if (ret)
		return ret;
	ret = qxl_objects_init(qdev);
	if (ret)
		goto err_fini;
	ret = qxl_kms_init(qdev);
	if (ret)
		goto err_fini;
	ret = drm_dev_register(&qdev->drm, 0);
	if (ret)
		goto err_fini;
	qxl_objects_debugfs_init(qdev->drm.primary);

	qxl_compat_fbdev_setup(&qdev->drm);
	return 0;

err_fini:
	qxl_device_fini(qdev);
	return ret;
}

static void qxl_pci_remove(struct pci_dev *pdev)
{
	struct qxl_device *qdev = pci_get_drvdata(pdev);

	drm_dev_unplug(&qdev->drm);
	qxl_fbdev_write_fix_undo(&qdev->drm);
	qxl_objects_drain(qdev);
	drm_atomic_helper_shutdown(&qdev->drm);
	qxl_device_fini(qdev);
}

static int qxl_pm_suspend(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct qxl_device *qdev = pci_get_drvdata(pdev);
	int ret;

	/* a recovery must not commit into a suspending device: resume resets it anyway */
	qxl_recovery_fini(qdev);
	ret = drm_mode_config_helper_suspend(&qdev->drm);
	if (ret) {
		qxl_recovery_requeue(qdev);
		return ret;
	}
	qxl_primary_destroy(qdev);
	qxl_release_wait_idle(qdev);
	qxl_irq_disarm(qdev);
	qxl_recovery_fini(qdev);
	pci_save_state(pdev);
	pci_disable_device(pdev);
	pci_set_power_state(pdev, PCI_D3hot);
	return 0;
}

static int qxl_pm_resume(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct qxl_device *qdev = pci_get_drvdata(pdev);
	int ret;

	pci_set_power_state(pdev, PCI_D0);
	pci_restore_state(pdev);
	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = qxl_device_reinit(qdev);
	if (ret)
		return ret;
	return qxl_recovery_resume(qdev);
}

static const struct dev_pm_ops qxl_pm_ops = {
	.suspend = qxl_pm_suspend,
	.resume = qxl_pm_resume,
	.freeze = qxl_pm_suspend,
	.thaw = qxl_pm_resume,
	.poweroff = qxl_pm_suspend,
	.restore = qxl_pm_resume,
};

static const struct pci_device_id qxl_pci_ids[] = {
	{ PCI_DEVICE(QXL_PCI_VENDOR_ID, QXL_PCI_DEVICE_ID),
	  .class = PCI_CLASS_DISPLAY_VGA << 8, .class_mask = 0xffff00 },
	{ PCI_DEVICE(QXL_PCI_VENDOR_ID, QXL_PCI_DEVICE_ID),
	  .class = PCI_CLASS_DISPLAY_OTHER << 8, .class_mask = 0xffff00 },
	{ }
};
MODULE_DEVICE_TABLE(pci, qxl_pci_ids);

static struct pci_driver qxl_pci_driver = {
	.name = DRIVER_NAME,
	.id_table = qxl_pci_ids,
	.probe = qxl_pci_probe,
	.remove = qxl_pci_remove,
	.driver.pm = &qxl_pm_ops,
};

drm_module_pci_driver_if_modeset(qxl_pci_driver, qxl_modeset);

MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("Dual MIT/GPL");
