# Generated from forms/profile_basic.ui by scripts/build_forms.py: do not edit.
# -*- coding: utf-8 -*-

## Form generated from reading UI file 'profile_basic.ui'

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QApplication, QComboBox, QFormLayout, QHBoxLayout,
    QLabel, QLineEdit, QSizePolicy, QSpacerItem,
    QWidget)

from ..number_input import CountSpinBox

class Ui_ProfileBasic(object):
    def setupUi(self, ProfileBasic):
        if not ProfileBasic.objectName():
            ProfileBasic.setObjectName(u"ProfileBasic")
        self.form = QFormLayout(ProfileBasic)
        self.form.setObjectName(u"form")
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.nameLabel = QLabel(ProfileBasic)
        self.nameLabel.setObjectName(u"nameLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.nameLabel)

        self.nameEdit = QLineEdit(ProfileBasic)
        self.nameEdit.setObjectName(u"nameEdit")
        self.nameEdit.setMaxLength(100)

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.nameEdit)

        self.nameError = QLabel(ProfileBasic)
        self.nameError.setObjectName(u"nameError")
        self.nameError.setTextFormat(Qt.TextFormat.PlainText)
        self.nameError.setStyleSheet(u"color: #b00020;")
        self.nameError.setWordWrap(True)

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.nameError)

        self.codeLabel = QLabel(ProfileBasic)
        self.codeLabel.setObjectName(u"codeLabel")

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.codeLabel)

        self.codeEdit = QLineEdit(ProfileBasic)
        self.codeEdit.setObjectName(u"codeEdit")
        self.codeEdit.setMaxLength(20)

        self.form.setWidget(2, QFormLayout.ItemRole.FieldRole, self.codeEdit)

        self.codeError = QLabel(ProfileBasic)
        self.codeError.setObjectName(u"codeError")
        self.codeError.setTextFormat(Qt.TextFormat.PlainText)
        self.codeError.setStyleSheet(u"color: #b00020;")
        self.codeError.setWordWrap(True)

        self.form.setWidget(3, QFormLayout.ItemRole.FieldRole, self.codeError)

        self.levelLabel = QLabel(ProfileBasic)
        self.levelLabel.setObjectName(u"levelLabel")

        self.form.setWidget(4, QFormLayout.ItemRole.LabelRole, self.levelLabel)

        self.levelRow = QHBoxLayout()
        self.levelRow.setObjectName(u"levelRow")
        self.levelCombo = QComboBox(ProfileBasic)
        self.levelCombo.setObjectName(u"levelCombo")

        self.levelRow.addWidget(self.levelCombo)

        self.gradeCombo = QComboBox(ProfileBasic)
        self.gradeCombo.setObjectName(u"gradeCombo")

        self.levelRow.addWidget(self.gradeCombo)

        self.levelSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.levelRow.addItem(self.levelSpacer)


        self.form.setLayout(4, QFormLayout.ItemRole.FieldRole, self.levelRow)

        self.typeLabel = QLabel(ProfileBasic)
        self.typeLabel.setObjectName(u"typeLabel")

        self.form.setWidget(5, QFormLayout.ItemRole.LabelRole, self.typeLabel)

        self.typeCombo = QComboBox(ProfileBasic)
        self.typeCombo.setObjectName(u"typeCombo")

        self.form.setWidget(5, QFormLayout.ItemRole.FieldRole, self.typeCombo)

        self.bedsLabel = QLabel(ProfileBasic)
        self.bedsLabel.setObjectName(u"bedsLabel")

        self.form.setWidget(6, QFormLayout.ItemRole.LabelRole, self.bedsLabel)

        self.bedsSpin = CountSpinBox(ProfileBasic)
        self.bedsSpin.setObjectName(u"bedsSpin")
        self.bedsSpin.setMinimum(-1)
        self.bedsSpin.setMaximum(20000)
        self.bedsSpin.setValue(-1)

        self.form.setWidget(6, QFormLayout.ItemRole.FieldRole, self.bedsSpin)

        self.bedsError = QLabel(ProfileBasic)
        self.bedsError.setObjectName(u"bedsError")
        self.bedsError.setTextFormat(Qt.TextFormat.PlainText)
        self.bedsError.setStyleSheet(u"color: #b00020;")
        self.bedsError.setWordWrap(True)

        self.form.setWidget(7, QFormLayout.ItemRole.FieldRole, self.bedsError)

#if QT_CONFIG(shortcut)
        self.nameLabel.setBuddy(self.nameEdit)
        self.codeLabel.setBuddy(self.codeEdit)
        self.levelLabel.setBuddy(self.levelCombo)
        self.typeLabel.setBuddy(self.typeCombo)
        self.bedsLabel.setBuddy(self.bedsSpin)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.nameEdit, self.codeEdit)
        QWidget.setTabOrder(self.codeEdit, self.levelCombo)
        QWidget.setTabOrder(self.levelCombo, self.gradeCombo)
        QWidget.setTabOrder(self.gradeCombo, self.typeCombo)
        QWidget.setTabOrder(self.typeCombo, self.bedsSpin)

        self.retranslateUi(ProfileBasic)
    # setupUi

    def retranslateUi(self, ProfileBasic):
        self.nameLabel.setText(QCoreApplication.translate("ProfileBasic", u"\u533b\u9662\u540d\u79f0(&M)\uff1a", None))
        self.nameEdit.setPlaceholderText(QCoreApplication.translate("ProfileBasic", u"\u5982\uff1a\u67d0\u67d0\u53bf\u4eba\u6c11\u533b\u9662", None))
        self.codeLabel.setText(QCoreApplication.translate("ProfileBasic", u"\u673a\u6784\u4ee3\u7801(&C)\uff1a", None))
        self.codeEdit.setPlaceholderText(QCoreApplication.translate("ProfileBasic", u"18\u4f4d\u7edf\u4e00\u793e\u4f1a\u4fe1\u7528\u4ee3\u7801\u62169\u4f4d\u7ec4\u7ec7\u673a\u6784\u4ee3\u7801\uff08\u53ef\u4e0d\u586b\uff09", None))
        self.levelLabel.setText(QCoreApplication.translate("ProfileBasic", u"\u533b\u9662\u7b49\u7ea7(&L)\uff1a", None))
        self.typeLabel.setText(QCoreApplication.translate("ProfileBasic", u"\u533b\u9662\u7c7b\u522b(&T)\uff1a", None))
        self.bedsLabel.setText(QCoreApplication.translate("ProfileBasic", u"\u7f16\u5236\u5e8a\u4f4d(&D)\uff1a", None))
        self.bedsSpin.setSpecialValueText(QCoreApplication.translate("ProfileBasic", u"\u672a\u586b\u5199", None))
        self.bedsSpin.setSuffix(QCoreApplication.translate("ProfileBasic", u" \u5f20", None))
        pass
    # retranslateUi

