# Generated from forms/new_round.ui by scripts/build_forms.py: do not edit.
# -*- coding: utf-8 -*-

## Form generated from reading UI file 'new_round.ui'

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractButton, QApplication, QComboBox, QDialog,
    QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel,
    QLineEdit, QListView, QListWidget, QListWidgetItem,
    QSizePolicy, QSpacerItem, QSpinBox, QVBoxLayout,
    QWidget)

from ..date_input import DateInput

class Ui_NewRoundDialog(object):
    def setupUi(self, NewRoundDialog):
        if not NewRoundDialog.objectName():
            NewRoundDialog.setObjectName(u"NewRoundDialog")
        self.outer = QVBoxLayout(NewRoundDialog)
        self.outer.setObjectName(u"outer")
        self.form = QFormLayout()
        self.form.setObjectName(u"form")
        self.nameLabel = QLabel(NewRoundDialog)
        self.nameLabel.setObjectName(u"nameLabel")

        self.form.setWidget(0, QFormLayout.ItemRole.LabelRole, self.nameLabel)

        self.nameEdit = QLineEdit(NewRoundDialog)
        self.nameEdit.setObjectName(u"nameEdit")
        self.nameEdit.setMaxLength(60)

        self.form.setWidget(0, QFormLayout.ItemRole.FieldRole, self.nameEdit)

        self.nameError = QLabel(NewRoundDialog)
        self.nameError.setObjectName(u"nameError")
        self.nameError.setTextFormat(Qt.TextFormat.PlainText)
        self.nameError.setStyleSheet(u"color: #b00020;")

        self.form.setWidget(1, QFormLayout.ItemRole.FieldRole, self.nameError)

        self.dateLabel = QLabel(NewRoundDialog)
        self.dateLabel.setObjectName(u"dateLabel")

        self.form.setWidget(2, QFormLayout.ItemRole.LabelRole, self.dateLabel)

        self.dateRow = QHBoxLayout()
        self.dateRow.setObjectName(u"dateRow")
        self.dateEdit = DateInput(NewRoundDialog)
        self.dateEdit.setObjectName(u"dateEdit")
        self.dateEdit.setCalendarPopup(True)

        self.dateRow.addWidget(self.dateEdit)

        self.yearLabel = QLabel(NewRoundDialog)
        self.yearLabel.setObjectName(u"yearLabel")

        self.dateRow.addWidget(self.yearLabel)

        self.yearSpin = QSpinBox(NewRoundDialog)
        self.yearSpin.setObjectName(u"yearSpin")
        self.yearSpin.setMinimum(2020)
        self.yearSpin.setMaximum(2035)

        self.dateRow.addWidget(self.yearSpin)

        self.dateSpacer = QSpacerItem(0, 0, QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

        self.dateRow.addItem(self.dateSpacer)


        self.form.setLayout(2, QFormLayout.ItemRole.FieldRole, self.dateRow)

        self.leaderLabel = QLabel(NewRoundDialog)
        self.leaderLabel.setObjectName(u"leaderLabel")

        self.form.setWidget(3, QFormLayout.ItemRole.LabelRole, self.leaderLabel)

        self.leaderEdit = QLineEdit(NewRoundDialog)
        self.leaderEdit.setObjectName(u"leaderEdit")

        self.form.setWidget(3, QFormLayout.ItemRole.FieldRole, self.leaderEdit)

        self.membersLabel = QLabel(NewRoundDialog)
        self.membersLabel.setObjectName(u"membersLabel")

        self.form.setWidget(4, QFormLayout.ItemRole.LabelRole, self.membersLabel)

        self.membersEdit = QLineEdit(NewRoundDialog)
        self.membersEdit.setObjectName(u"membersEdit")

        self.form.setWidget(4, QFormLayout.ItemRole.FieldRole, self.membersEdit)

        self.previousLabel = QLabel(NewRoundDialog)
        self.previousLabel.setObjectName(u"previousLabel")

        self.form.setWidget(5, QFormLayout.ItemRole.LabelRole, self.previousLabel)

        self.previousCombo = QComboBox(NewRoundDialog)
        self.previousCombo.setObjectName(u"previousCombo")

        self.form.setWidget(5, QFormLayout.ItemRole.FieldRole, self.previousCombo)


        self.outer.addLayout(self.form)

        self.checklistsLabel = QLabel(NewRoundDialog)
        self.checklistsLabel.setObjectName(u"checklistsLabel")

        self.outer.addWidget(self.checklistsLabel)

        self.checklistList = QListWidget(NewRoundDialog)
        self.checklistList.setObjectName(u"checklistList")
        self.checklistList.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.checklistList.setResizeMode(QListView.ResizeMode.Adjust)
        self.checklistList.setWordWrap(True)

        self.outer.addWidget(self.checklistList)

        self.checklistsError = QLabel(NewRoundDialog)
        self.checklistsError.setObjectName(u"checklistsError")
        self.checklistsError.setTextFormat(Qt.TextFormat.PlainText)
        self.checklistsError.setStyleSheet(u"color: #b00020;")
        self.checklistsError.setWordWrap(True)

        self.outer.addWidget(self.checklistsError)

        self.buttonBox = QDialogButtonBox(NewRoundDialog)
        self.buttonBox.setObjectName(u"buttonBox")
        self.buttonBox.setStandardButtons(QDialogButtonBox.StandardButton.Cancel|QDialogButtonBox.StandardButton.Ok)

        self.outer.addWidget(self.buttonBox)

#if QT_CONFIG(shortcut)
        self.nameLabel.setBuddy(self.nameEdit)
        self.dateLabel.setBuddy(self.dateEdit)
        self.yearLabel.setBuddy(self.yearSpin)
        self.leaderLabel.setBuddy(self.leaderEdit)
        self.membersLabel.setBuddy(self.membersEdit)
        self.previousLabel.setBuddy(self.previousCombo)
        self.checklistsLabel.setBuddy(self.checklistList)
#endif // QT_CONFIG(shortcut)
        QWidget.setTabOrder(self.nameEdit, self.dateEdit)
        QWidget.setTabOrder(self.dateEdit, self.yearSpin)
        QWidget.setTabOrder(self.yearSpin, self.leaderEdit)
        QWidget.setTabOrder(self.leaderEdit, self.membersEdit)
        QWidget.setTabOrder(self.membersEdit, self.previousCombo)
        QWidget.setTabOrder(self.previousCombo, self.checklistList)

        self.retranslateUi(NewRoundDialog)
    # setupUi

    def retranslateUi(self, NewRoundDialog):
        NewRoundDialog.setWindowTitle(QCoreApplication.translate("NewRoundDialog", u"\u65b0\u5efa\u81ea\u67e5\u8f6e\u6b21", None))
        self.nameLabel.setText(QCoreApplication.translate("NewRoundDialog", u"\u8f6e\u6b21\u540d\u79f0(&N)\uff1a", None))
        self.dateLabel.setText(QCoreApplication.translate("NewRoundDialog", u"\u81ea\u67e5\u65e5\u671f(&D)\uff1a", None))
        self.dateEdit.setDisplayFormat(QCoreApplication.translate("NewRoundDialog", u"yyyy-MM-dd", None))
        self.yearLabel.setText(QCoreApplication.translate("NewRoundDialog", u"\u8003\u6838\u5e74\u5ea6(&Y)\uff1a", None))
        self.leaderLabel.setText(QCoreApplication.translate("NewRoundDialog", u"\u68c0\u67e5\u7ec4\u7ec4\u957f(&L)\uff1a", None))
        self.membersLabel.setText(QCoreApplication.translate("NewRoundDialog", u"\u68c0\u67e5\u7ec4\u6210\u5458(&M)\uff1a", None))
        self.membersEdit.setPlaceholderText(QCoreApplication.translate("NewRoundDialog", u"\u591a\u4eba\u7528\u987f\u53f7\u6216\u9017\u53f7\u5206\u9694\uff0c\u5982\uff1a\u674e\u654f\uff08\u533b\u52a1\u79d1\uff09\u3001\u5f20\u534e\uff08\u62a4\u7406\u90e8\uff09", None))
        self.previousLabel.setText(QCoreApplication.translate("NewRoundDialog", u"\u5bf9\u7167\u4e0a\u4e00\u8f6e(&P)\uff1a", None))
        self.checklistsLabel.setText(QCoreApplication.translate("NewRoundDialog", u"\u68c0\u67e5\u8868(&K)\uff1a\uff08\u7a7a\u683c\u952e\u52fe\u9009\uff1b\u9ed8\u8ba4\u9009\u4e2d\u5343\u9662\u884c\u4e24\u5f20\u8868\uff09", None))
    # retranslateUi

