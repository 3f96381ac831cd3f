"""The one module that imports PySide6; the rest of the GUI imports Qt names from here.

Only names the GUI uses are imported: each first access of a PySide6 class builds its type
(``QStyle`` alone ≈10 ms), and all of them together were a sixth of start-up.

Keeping the import in one place makes the supported range (PySide6 6.9 for glibc 2.28 systems,
through current releases) easy to hold: a shim for an API difference goes here.
"""

from PySide6.QtCore import (
    QDate,
    QLibraryInfo,
    QLocale,
    QLockFile,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    QTranslator,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QDesktopServices,
    QFont,
    QKeySequence,
    QShortcut,
    QUndoCommand,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

__all__ = [name for name in dir() if name[0].isupper()]
